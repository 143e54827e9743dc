// `ipvsadm metrics [--listen [ADDR:]PORT] [--collect FAMILIES]`: the IPVS state as Prometheus
// text (exposition.ts), printed once, or served over HTTP at /metrics (loopback unless an address
// is given) until SIGTERM or SIGINT: read anew at every scrape (concurrent scrapes share one
// read), streamed in chunks (gzip when asked), 503 when the read outlasts the scrape's timeout.
// With --web.config.file, HTTPS and basic auth as the file says (web-server.ts). `--print-rules` /
// `--print-dashboard` print the shipped Prometheus rules / Grafana dashboard. Statuses: METRICS_EXIT.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { Command } from 'commander';
import { METRICS_EXIT } from '../app/exit-status.js';
import type { Io } from '../app/io.js';
import { frontEnd, parseFrontEnd } from '../app/front-end.js';
import { openClient } from '../app/open-client.js';
import { decodeRaw } from '../app/raw-text.js';
import { failureText, kernelFailureOrThrow } from '../core/failure.js';
import { onReloadSignal, onStopSignals } from '../core/signals.js';
import { parseConnectionFile } from '../table/connections.js';
import type { ConnectionEntry } from '../table/connections.js';
import { readAsset } from './assets.js';
import type { Asset } from './assets.js';
import { COLLECTABLE, DEFAULT_COLLECT, expositionChunks, parseCollect, parseGlobalStats } from './exposition.js';
import type { Collectable, Reading } from './exposition.js';
import type { Handler, LiveWebConfig } from './web-server.js';

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

function program(io: Io): Command {
  return frontEnd('ipvsadm metrics', io)
    .description('Print the IPVS table, its counters and the timeouts in the Prometheus text format, or serve them over HTTP at /metrics.')
    .option('--listen <[addr:]port>', 'serve http://ADDR:PORT/metrics (ADDR defaults to 127.0.0.1; [::1]:PORT for IPv6) until SIGTERM or SIGINT')
    .option('--web.config.file <file>', 'serve as the exporter web configuration FILE says: TLS (certificate, client certificates), basic auth users (bcrypt), headers, rate limit')
    .option('--collect <families>', `the real servers' families: all, none, or some of ${COLLECTABLE.join(',')} (default ${[...DEFAULT_COLLECT].join(',')})`)
    .option('--print-rules', 'print the Prometheus alerting and recording rules for these metrics (YAML) and exit')
    .option('--print-dashboard', 'print the Grafana dashboard for these metrics (JSON) and exit');
}

/**
 * `--print-rules` or `--print-dashboard`: the shipped file on stdout; undefined when neither is
 * asked for. Either stands alone (with another option it is a usage error).
 */
function printAsset(io: Io, opts: Record<string, unknown>): number | undefined {
  const asked: [string, Asset][] = [];
  if (opts['printRules'] === true) asked.push(['--print-rules', 'rules']);
  if (opts['printDashboard'] === true) asked.push(['--print-dashboard', 'dashboard']);
  const [first] = asked;
  if (!first) return undefined;
  if (Object.keys(opts).length > 1) {
    say(io, `${first[0]} takes no other option`);
    return METRICS_EXIT.USAGE;
  }
  try {
    io.stdout(readAsset(first[1]));
    return METRICS_EXIT.OK;
  } catch (e) {
    say(io, `cannot read the shipped file: ${(e as Error).message}`);
    return METRICS_EXIT.FAILED;
  }
}

/**
 * The share of a scrape's timeout (X-Prometheus-Scrape-Timeout-Seconds) the read may take; the
 * rest is for writing the body. A read that takes longer is answered 503 before any body.
 */
const READ_SHARE = 0.9;

const say = (io: Io, text: string): void => io.stderr(`ipvsadm metrics: ${text}\n`);

/** `9565`, `0.0.0.0:9565`, `[::1]:9565` → host and port; undefined when it is none of these. */
export function parseListen(text: string): { host: string; port: number } | undefined {
  const m = /^(?:(\[[0-9A-Fa-f:.]+\]|[0-9.]+|[A-Za-z0-9.-]+):)?(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  const host = m[1] === undefined ? '127.0.0.1' : m[1].replace(/^\[|\]$/g, '');
  return { host, port };
}

function readGlobal(): ReturnType<typeof parseGlobalStats> {
  try {
    return parseGlobalStats(readFileSync('/proc/net/ip_vs_stats', 'utf8'));
  } catch {
    return undefined;
  }
}

/** The connection table's entries; undefined when the file cannot be read or is empty. */
function readConnections(): ConnectionEntry[] | undefined {
  try {
    return parseConnectionFile(readFileSync('/proc/net/ip_vs_conn', 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * One read of everything a scrape shows, from a fresh client: the table by netlink dumps (the only
 * source of each real server's exact counters), /proc/net/ip_vs_stats, /proc/net/ip_vs_conn.
 */
async function read(io: Io): Promise<Reading> {
  const client = await openClient(io, { dumpsTable: true });
  try {
    return { snap: await client.snapshot(), global: readGlobal(), entries: readConnections() };
  } finally {
    client.close();
  }
}

/** read(), shared by the scrapes that ask while it runs (each later one starts a new read). */
export function sharedRead(fetch: () => Promise<Reading>): () => Promise<Reading> {
  let running: Promise<Reading> | undefined;
  return () =>
    (running ??= fetch().finally(() => {
      running = undefined;
    }));
}

export async function runMetricsCli(argv: readonly string[], io: Io): Promise<number> {
  const cmd = program(io);
  const ended = parseFrontEnd(cmd, argv, io, METRICS_EXIT.USAGE);
  if (ended !== undefined) return ended;
  const printed = printAsset(io, cmd.opts());
  if (printed !== undefined) return printed;
  const { listen, collect: collectText, 'web.config.file': webConfig } = cmd.opts<{ listen?: string; collect?: string; 'web.config.file'?: string }>();
  const collect = collectText === undefined ? DEFAULT_COLLECT : parseCollect(collectText);
  if (typeof collect === 'string') {
    say(io, `--collect ${collectText}: ${collect}`);
    return METRICS_EXIT.USAGE;
  }
  if (listen === undefined && webConfig !== undefined) {
    say(io, '--web.config.file: only with --listen');
    return METRICS_EXIT.USAGE;
  }
  if (listen === undefined) {
    try {
      const reading = await read(io);
      // each chunk written before the next: they share one buffer
      for (const chunk of expositionChunks(reading, collect)) {
        if (io.stdoutBytes && io.drainStdout) io.stdoutBytes(chunk);
        else io.stdout(decodeRaw(chunk));
        await io.drainStdout?.();
      }
      return METRICS_EXIT.OK;
    } catch (e) {
      say(io, `cannot read IPVS: ${kernelFailureOrThrow(e)}`);
      return METRICS_EXIT.FAILED;
    }
  }
  const at = parseListen(listen);
  if (!at) {
    say(io, `--listen ${listen}: expected PORT, ADDR:PORT or [ADDR6]:PORT`);
    return METRICS_EXIT.USAGE;
  }
  const handle = handler(sharedRead(() => read(io)), collect);
  if (webConfig === undefined) return serve(io, at, createServer((req, res) => void handle(req, res).catch(() => res.destroy())));
  // loaded here, not at the top: the YAML parser and bcrypt only for a web configuration
  const web = await import('./web-server.js');
  let live: LiveWebConfig;
  try {
    live = new web.LiveWebConfig(webConfig, (text) => say(io, text));
  } catch (e) {
    if (!(e instanceof web.WebConfigError)) throw e;
    say(io, `--web.config.file ${webConfig}: ${e.message}`);
    return METRICS_EXIT.USAGE;
  }
  return serve(io, at, web.metricsServer(handle, live), live);
}

/** The scrape's timeout in milliseconds from Prometheus's header; undefined without one. */
export function scrapeTimeoutMs(header: string | string[] | undefined): number | undefined {
  const seconds = Number(Array.isArray(header) ? header[0] : header);
  return header !== undefined && Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

/** `reading`, or 'late' when it is not there within `ms` (no limit when undefined). */
function within<T>(reading: Promise<T>, ms: number | undefined): Promise<T | 'late'> {
  if (ms === undefined) return reading;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  return Promise.race([reading, late]).finally(() => clearTimeout(timer));
}

/** Whether an Accept-Encoding header takes gzip (as Prometheus's does). */
export function takesGzip(header: string | undefined): boolean {
  return (header ?? '').split(',').some((part) => {
    const [coding, ...params] = part.split(';').map((w) => w.trim().toLowerCase());
    return coding === 'gzip' && !params.some((p) => /^q=0(\.0*)?$/.test(p));
  });
}

/**
 * Writes the chunks, each taken (by the socket, or by gzip at level 1) before the next: they share
 * one buffer. Stops if the client goes.
 */
async function stream(res: ServerResponse, chunks: Iterable<Uint8Array>, gzip: boolean): Promise<void> {
  const closed = new Promise<void>((resolve) => res.once('close', resolve));
  const out: Writable = gzip ? createGzip({ level: 1 }) : res;
  if (out !== res) out.pipe(res);
  for (const chunk of chunks) {
    if (res.destroyed) return void out.destroy();
    await Promise.race([new Promise<void>((resolve) => out.write(chunk, () => resolve())), closed]);
  }
  out.end();
}

/**
 * GET or HEAD of /metrics: the shared read, then 200 and the body in chunks (gzip when the
 * request's Accept-Encoding takes it, as Prometheus's does); 503 before any body
 * when the read outlasts READ_SHARE of the scrape's timeout, 500 when it fails; 404 elsewhere.
 */
export function handler(shared: () => Promise<Reading>, collect: ReadonlySet<Collectable>): Handler {
  return async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('ipvsadm metrics: see /metrics\n');
      return;
    }
    const timeout = scrapeTimeoutMs(req.headers['x-prometheus-scrape-timeout-seconds']);
    let reading: Reading | 'late';
    try {
      reading = await within(shared(), timeout === undefined ? undefined : timeout * READ_SHARE);
    } catch (e) {
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`cannot read IPVS: ${failureText(e) ?? String(e)}\n`);
      return;
    }
    if (reading === 'late') {
      res.writeHead(503, { 'Content-Type': 'text/plain' }).end(`ipvsadm metrics: reading IPVS took longer than ${READ_SHARE * 100}% of the scrape timeout (${timeout! / 1000} s)\n`);
      return;
    }
    const gzip = takesGzip(req.headers['accept-encoding']);
    res.writeHead(200, { 'Content-Type': CONTENT_TYPE, ...(gzip ? { 'Content-Encoding': 'gzip' } : {}) });
    if (req.method === 'HEAD') res.end();
    else await stream(res, expositionChunks(reading, collect), gzip);
  };
}

/** Serves until SIGTERM or SIGINT (SIGHUP re-reads the web configuration, if any). */
function serve(io: Io, at: { host: string; port: number }, server: Server, live?: LiveWebConfig): Promise<number> {
  const { host, port } = at;
  return new Promise((resolve) => {
    let stopListening = (): void => undefined;
    const stop = (): void => {
      stopListening();
      server.close(() => resolve(METRICS_EXIT.OK));
      server.closeAllConnections();
    };
    server.once('error', (e: NodeJS.ErrnoException) => {
      say(io, `cannot listen on ${host}:${port}: ${e.code ?? e.message}`);
      resolve(METRICS_EXIT.FAILED);
    });
    server.listen(port, host, () => {
      const stopOnSignal = onStopSignals(stop, ['SIGTERM', 'SIGINT']);
      // (the file is also looked at on every connection and request)
      const reloadOnSignal = live ? onReloadSignal(() => void live.current(true)) : () => undefined;
      stopListening = () => (stopOnSignal(), reloadOnSignal());
      const shown = host.includes(':') ? `[${host}]` : host;
      const scheme = live?.loaded.secure ? 'https' : 'http';
      io.stderr(`ipvsadm metrics: serving ${scheme}://${shown}:${port}/metrics${live ? ` (web configuration ${live.path})` : ''}\n`);
    });
  });
}
