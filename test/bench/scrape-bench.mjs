// The scrape case of the bench (run by test/bench/guest-bench.mjs in the user-mode kernel): one
// table served at once by `ipvsadm metrics --listen` and by node_exporter's IPVS collector
// (Debian's prometheus-node-exporter, --collector.disable-defaults --collector.ipvs), scraped in
// turn as Prometheus scrapes (GET /metrics with its timeout header, gzip accepted and the body
// decompressed), next to our own `-Ln`.
// Both must show the same real servers with the same weights and connection counts, and the same
// global counters, before a ratio is printed.
import { spread } from './timing-text.mjs';
import { spawn, spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';

export const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';
const OURS_PORT = 19565;
const NE_PORT = 19100;
/** what Prometheus sends by default (scrape_timeout 10 s), raised so that a slow guest finishes */
const TIMEOUT_SECONDS = 600;

/** GET /metrics on 127.0.0.1:port: status, milliseconds to the last byte, body (decompressed, latin1), bytes on the wire. */
export function scrape(port) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const headers = { Accept: 'text/plain;version=0.0.4', 'Accept-Encoding': 'gzip', 'X-Prometheus-Scrape-Timeout-Seconds': String(TIMEOUT_SECONDS) };
    const req = request({ host: '127.0.0.1', port, path: '/metrics', headers }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => {
        // timed to the last byte received: decompressing and decoding are the client's work
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        const wire = Buffer.concat(parts);
        const body = (res.headers['content-encoding'] === 'gzip' ? gunzipSync(wire) : wire).toString('latin1');
        resolve({ status: res.statusCode, ms, body, wireBytes: wire.length });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Samples (lines not comments) in an exposition. */
export const seriesCount = (body) => body.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;

const label = (line, name) => new RegExp(`[{,]${name}="([^"]*)"`).exec(line)?.[1] ?? '';
const valueOf = (line) => line.slice(line.lastIndexOf(' ') + 1);

/**
 * What both exporters show of a table, keyed alike: per real server `tcp 192.0.2.1:80 -> 198.51.100.1:8080`
 * its weight, active and inactive connections; the global connection, packet and byte counters.
 */
export function ourView(body) {
  const view = new Map();
  const families = { ipvs_destination_weight: 'weight', ipvs_destination_active_connections: 'active', ipvs_destination_inactive_connections: 'inactive' };
  for (const line of body.split('\n')) {
    const family = line.slice(0, line.indexOf('{'));
    if (families[family]) view.set(`${label(line, 'service')} -> ${label(line, 'server_address')}:${label(line, 'server_port')} ${families[family]}`, valueOf(line));
    const g = /^ipvs_(connections_total|packets_total|bytes_total)(?:\{direction="(in|out)"\})? (\d+)$/.exec(line);
    if (g) view.set(`global ${g[1].replace('_total', '')}${g[2] ? ` ${g[2]}` : ''}`, g[3]);
  }
  return view;
}

/** node_exporter's samples in the same keys (its labels: proto, local_address, local_port, remote_address, remote_port). */
export function nodeExporterView(body) {
  const view = new Map();
  const families = { node_ipvs_backend_weight: 'weight', node_ipvs_backend_connections_active: 'active', node_ipvs_backend_connections_inactive: 'inactive' };
  const globals = { node_ipvs_connections_total: 'connections', node_ipvs_incoming_packets_total: 'packets in', node_ipvs_outgoing_packets_total: 'packets out', node_ipvs_incoming_bytes_total: 'bytes in', node_ipvs_outgoing_bytes_total: 'bytes out' };
  for (const line of body.split('\n')) {
    const brace = line.indexOf('{');
    const family = brace < 0 ? line.slice(0, line.indexOf(' ')) : line.slice(0, brace);
    if (families[family]) {
      const service = label(line, 'local_mark') ? `fwmark ${label(line, 'local_mark')} inet` : `${label(line, 'proto').toLowerCase()} ${label(line, 'local_address')}:${label(line, 'local_port')}`;
      view.set(`${service} -> ${label(line, 'remote_address')}:${label(line, 'remote_port')} ${families[family]}`, String(Number(valueOf(line))));
    }
    // node_exporter writes large counters in Go's float format (1.2e+07): compared as numbers
    if (globals[family]) view.set(`global ${globals[family]}`, String(Number(valueOf(line))));
  }
  return view;
}

/** The keys whose values differ or that only one side has (at most `max`). */
export function viewDifferences(ours, theirs, max = 10) {
  const out = [];
  for (const key of new Set([...ours.keys(), ...theirs.keys()])) {
    if (ours.get(key) !== theirs.get(key)) out.push(`${key}: ours ${ours.get(key) ?? '(none)'}, node_exporter ${theirs.get(key) ?? '(none)'}`);
    if (out.length >= max) break;
  }
  return out;
}

/** Starts `argv` and waits until GET /metrics on `port` answers 200 (at most 120 s). */
async function startServer(argv, port) {
  const child = spawn(argv[0], argv.slice(1), { stdio: 'ignore' });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      if ((await scrape(port)).status === 200) return child;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`${argv.join(' ')} did not answer on port ${port}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * The scrape case on the table loaded now: `repeat` scrapes of each exporter, interleaved, and as
 * many `-Ln` of ours; the series per scrape of each, and the differences of what they showed.
 */
export async function scrapeRuns(ours, repeat, summary) {
  const servers = [await startServer([...ours, 'metrics', '--listen', String(OURS_PORT)], OURS_PORT), await startServer([NODE_EXPORTER, '--collector.disable-defaults', '--collector.ipvs', `--web.listen-address=127.0.0.1:${NE_PORT}`], NE_PORT)];
  try {
    const runs = { ours: [], nodeExporter: [], list: [] };
    const bodies = {};
    const wire = {};
    for (let i = 0; i < repeat; i++) {
      for (const [key, port] of [['ours', OURS_PORT], ['nodeExporter', NE_PORT]]) {
        const r = await scrape(port);
        if (r.status !== 200) throw new Error(`${key}'s scrape answered ${r.status}: ${r.body.slice(0, 200)}`);
        runs[key].push({ ms: r.ms, rssKiB: 0 });
        bodies[key] ??= r.body;
        wire[key] ??= r.wireBytes;
      }
      const t0 = process.hrtime.bigint();
      const l = spawnSync(ours[0], [...ours.slice(1), '-Ln'], { stdio: 'ignore' });
      if (l.status !== 0) throw new Error(`-Ln failed (${l.status})`);
      runs.list.push({ ms: Number(process.hrtime.bigint() - t0) / 1e6, rssKiB: 0 });
    }
    const differences = viewDifferences(ourView(bodies.ours), nodeExporterView(bodies.nodeExporter));
    return {
      ours: { ...summary(runs.ours), series: seriesCount(bodies.ours), bytes: bodies.ours.length, wireBytes: wire.ours },
      nodeExporter: { ...summary(runs.nodeExporter), series: seriesCount(bodies.nodeExporter), bytes: bodies.nodeExporter.length, wireBytes: wire.nodeExporter },
      list: summary(runs.list),
      realServers: [...ourView(bodies.ours).keys()].filter((k) => k.endsWith(' weight')).length,
      differences,
    };
  } finally {
    for (const s of servers) s.kill('SIGTERM');
  }
}


/** The report's lines for the scrape rows; `failed` when the exporters did not show the same table. */
export function scrapeReport(rows) {
  if (!rows || rows.length === 0) return { lines: [], failed: false };
  const lines = [
    '',
    'scrape (GET /metrics as Prometheus sends it, gzip accepted; ours with its default families, node_exporter --collector.disable-defaults --collector.ipvs):',
    '| services × real servers | node_exporter | ours | ours / node_exporter | ours `-Ln` | scrape / `-Ln` | series per scrape node_exporter / ours | MB per scrape node_exporter / ours (on the wire) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  let failed = false;
  for (const r of rows) {
    const same = r.differences.length === 0;
    failed ||= !same;
    const ratio = same ? (r.ours.ms / r.nodeExporter.ms).toFixed(2) : 'not the same work';
    const mb = (b) => (b / 1e6).toFixed(1);
    lines.push(`| ${r.services} × ${r.dests} | ${spread(r.nodeExporter)} | ${spread(r.ours)} | ${ratio} | ${spread(r.list)} | ${(r.ours.ms / r.list.ms).toFixed(2)} | ${r.nodeExporter.series} / ${r.ours.series} | ${mb(r.nodeExporter.bytes)} / ${mb(r.ours.bytes)} (${mb(r.nodeExporter.wireBytes ?? r.nodeExporter.bytes)} / ${mb(r.ours.wireBytes ?? r.ours.bytes)}) |`);
  }
  for (const r of rows) {
    if (r.differences.length) lines.push('', `MISMATCH at ${r.services} × ${r.dests}, scrape: the exporters show different tables:\n${r.differences.join('\n')}`);
    else lines.push('', `scrape at ${r.services} × ${r.dests}: both exporters showed the same ${r.realServers} real servers (weights, active and inactive connections) and global counters`);
  }
  return { lines, failed };
}
