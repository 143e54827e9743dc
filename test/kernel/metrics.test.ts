// `ipvsadm metrics` in the kernel with real traffic through a NAT service: Prometheus's promtool
// accepts the exposition, and every service and real-server counter equals 1.31's
// `-Ln --stats --exact` (read before and after ours, which must agree); `--listen` serves the
// same over HTTP until SIGTERM; with a sync daemon running and connections held open, the daemon
// series are 1.31's `-L --daemon` and the entries by protocol and state are 1.31's `-Lnc`; a table
// of 10,000 services × 4 gives the documented series count by default (promtool on a sample of
// that scrape: on the whole 89 MB it is killed for memory in the guest).
import { spawn } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertInGuest, resetIpvs, runC, sh } from './support/guest.js';
import { clearIpvsConnections, createNatLab, LAB_PORTS } from './support/nat-lab.js';
import type { NatLab } from './support/nat-lab.js';
import { runOurs } from './support/ours.js';

assertInGuest();

const BIN = fileURLToPath(new URL('../../bin/ipvsadm.js', import.meta.url));
const VIP = '192.0.2.50';
let lab: NatLab | undefined;

beforeAll(async () => {
  resetIpvs();
  lab = await createNatLab({ vips: [VIP], servers: 2 });
  for (const line of [`-A -t ${VIP}:80 -s rr`, `-a -t ${VIP}:80 -r 198.51.100.1:${LAB_PORTS.http} -m`, `-a -t ${VIP}:80 -r 198.51.100.2:${LAB_PORTS.http} -m -w 2`, '-A -f 9 -s rr']) {
    const r = runC(line.split(' '));
    if (r.code !== 0) throw new Error(`ipvsadm ${line}: ${r.stderr}`);
  }
  lab.client([`http ${VIP} 80 9`]);
}, 120_000);

afterAll(async () => {
  await lab?.teardown();
  // connection entries outlive their service for minutes: later `-c` listings must not see them
  await clearIpvsConnections();
  resetIpvs();
});

/** `conns inpkts outpkts inbytes outbytes` per line of 1.31's --stats --exact: `TCP 192.0.2.50:80` / `-> 198.51.100.1:8080`. */
function cStats(): Map<string, string> {
  const out = new Map<string, string>();
  let service = '';
  for (const line of runC(['-Ln', '--stats', '--exact']).stdout.split('\n')) {
    const w = line.trim().split(/\s+/);
    if (/^(TCP|UDP|SCTP|FWM)$/.test(w[0] ?? '') && w.length >= 7) {
      service = `${w[0]} ${w[1]}`;
      out.set(service, w.slice(-5).join(' '));
    } else if (w[0] === '->' && /\d$/.test(line)) out.set(`${service} -> ${w[1]}`, w.slice(-5).join(' '));
  }
  return out;
}

/** The value of the one sample of `family` whose labels contain every one of `labels`. */
function value(text: string, family: string, labels: readonly string[]): string {
  const found = text.split('\n').filter((l) => l.startsWith(`${family}{`) && labels.every((x) => l.includes(x)));
  if (found.length !== 1) throw new Error(`${found.length} samples of ${family} with ${labels.join(',')}`);
  return found[0]!.split(' ').pop()!;
}

/** The same numbers from the exposition, named as cStats names them. */
function ourStats(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const five = (prefix: string, labels: string[]): string =>
    [
      value(text, `${prefix}connections_total`, labels),
      value(text, `${prefix}packets_total`, [...labels, 'direction="in"']),
      value(text, `${prefix}packets_total`, [...labels, 'direction="out"']),
      value(text, `${prefix}bytes_total`, [...labels, 'direction="in"']),
      value(text, `${prefix}bytes_total`, [...labels, 'direction="out"']),
    ].join(' ');
  const name = (svc: string): string => (svc.startsWith('fwmark') ? `FWM  ${svc.split(' ')[1]}`.replace('  ', ' ') : `${svc.split(' ')[0]!.toUpperCase()} ${svc.split(' ')[1]}`);
  for (const line of text.split('\n').filter((l) => l.startsWith('ipvs_service_connections_total{'))) {
    const svc = /service="([^"]+)"/.exec(line)![1]!;
    out.set(name(svc), five('ipvs_service_', [`service="${svc}"`]));
  }
  for (const line of text.split('\n').filter((l) => l.startsWith('ipvs_destination_connections_total{'))) {
    const svc = /service="([^"]+)"/.exec(line)![1]!;
    const addr = /server_address="([^"]+)"/.exec(line)![1]!;
    const port = /server_port="([^"]+)"/.exec(line)![1]!;
    out.set(`${name(svc)} -> ${addr}:${port}`, five('ipvs_destination_', [`service="${svc}"`, `server_address="${addr}"`, `server_port="${port}"`]));
  }
  return out;
}

/**
 * 1.31's --stats once the kernel has folded its per-CPU counters in (every 2 s in Linux 6.1): when
 * the service shows `conns` connections.
 */
async function settledStats(conns: number): Promise<Map<string, string>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const stats = cStats();
    if (stats.get(`TCP ${VIP}:80`)?.split(' ')[0] === String(conns)) return stats;
    if (Date.now() > deadline) throw new Error(`the counters never showed ${conns} connections: ${JSON.stringify([...stats])}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function get(port: number): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => void (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('ipvsadm metrics', () => {
  it('promtool accepts it; the counters are 1.31\'s --exact ones', async () => {
    const before = await settledStats(9);
    const r = await runOurs(['metrics']);
    const after = cStats();
    expect(after).toEqual(before);
    expect({ stderr: r.stderr, code: r.code }).toEqual({ stderr: '', code: 0 });
    const check = spawnSync('promtool', ['check', 'metrics'], { input: r.stdout, encoding: 'utf8' });
    expect({ status: check.status, out: check.stdout + check.stderr }).toEqual({ status: 0, out: '' });
    expect(ourStats(r.stdout)).toEqual(before);
    expect(r.stdout).toMatch(/^ipvs_connections_total \d+$/m);
  });

  it('--listen serves the same over HTTP, loopback, until SIGTERM', async () => {
    const port = 19565;
    const child = spawn('node', [BIN, 'metrics', '--listen', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => void (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const deadline = Date.now() + 30_000;
    while (!err.includes('serving')) {
      if (Date.now() > deadline) throw new Error(`metrics --listen did not start: ${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(err).toBe(`ipvsadm metrics: serving http://127.0.0.1:${port}/metrics\n`);
    const first = await get(port);
    expect(first.status).toBe(200);
    expect(first.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(ourStats(first.body)).toEqual(cStats());
    lab!.client([`http ${VIP} 80 3`]);
    const settled = await settledStats(12);
    expect(ourStats((await get(port)).body)).toEqual(settled);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 90_000);

  it('sync daemons as 1.31 lists them; connection entries by protocol and state as 1.31\'s -Lnc counts them', async () => {
    sh('ip link add ms0 type veth peer name ms1 && ip link set ms1 up && ip link set ms0 up');
    const held = await lab!.startClient([`hold ${VIP} 80 3 30`], { waitForLine: true });
    try {
      const start = runC(['--start-daemon', 'master', '--mcast-interface', 'ms0', '--syncid', '5']);
      expect(start.stderr).toBe('');
      const listed = /^(master|backup) sync daemon \(mcast=([^,]+), syncid=(\d+)[,)]/.exec(runC(['-L', '--daemon']).stdout);
      expect(listed?.slice(1)).toEqual(['master', 'ms0', '5']);
      const { before, ours } = await entriesBothWays();
      expect(before.get('tcp ESTABLISHED')).toBe(3);
      expect(entryCounts(ours)).toEqual(before);
      const daemons = ours.split('\n').filter((l) => l.startsWith('ipvs_sync_daemon'));
      expect(daemons).toEqual(['ipvs_sync_daemon_running{state="master"} 1', 'ipvs_sync_daemon_running{state="backup"} 0', `ipvs_sync_daemon_info{state="${listed![1]}",interface="${listed![2]}",sync_id="${listed![3]}"} 1`]);
      const check = spawnSync('promtool', ['check', 'metrics'], { input: ours, encoding: 'utf8' });
      expect({ status: check.status, out: check.stdout + check.stderr }).toEqual({ status: 0, out: '' });
      console.log(`metrics: connection entries ${JSON.stringify(Object.fromEntries(before))}`);
    } finally {
      await held.stop();
      runC(['--stop-daemon', 'master']);
      sh('ip link del ms0', { check: false });
    }
  }, 90_000);
});

describe('ipvsadm metrics on 10,000 services × 4 real servers', () => {
  const rules = (op: 'add' | 'delete'): string => {
    const lines: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const vip = `192.0.2.${1 + (i % 250)}:${1000 + Math.floor(i / 250)}`;
      if (op === 'delete') lines.push(`-D -t ${vip}`);
      else lines.push(`-A -t ${vip} -s rr`, ...[0, 1, 2, 3].map((k) => `-a -t ${vip} -r 198.51.100.${1 + ((i + 7 * k) % 200)}:${8080 + k} -m -w ${1 + k}`));
    }
    return `${lines.join('\n')}\n`;
  };

  it('5 series per service and 9 per real server by default, each once; promtool accepts every 10th sample of it', async () => {
    const before = /^ipvs_services (\d+)$/m.exec((await runOurs(['metrics'])).stdout)![1]!;
    const restored = await runOurs(['-R'], { stdin: rules('add') });
    expect({ code: restored.code, stderr: restored.stderr }).toEqual({ code: 0, stderr: '' });
    try {
      const r = await runOurs(['metrics']);
      expect({ stderr: r.stderr, code: r.code }).toEqual({ stderr: '', code: 0 });
      const lines = r.stdout.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
      const services = Number(/^ipvs_services (\d+)$/m.exec(r.stdout)![1]);
      const servers = Number(/^ipvs_destinations (\d+)$/m.exec(r.stdout)![1]);
      expect(services).toBe(Number(before) + 10_000);
      const entries = lines.filter((l) => l.startsWith('ipvs_connection_entries{')).length;
      expect(lines.length).toBe(5 * services + 9 * servers + 18 + entries);
      expect(new Set(lines.map((l) => l.slice(0, l.lastIndexOf(' ')))).size).toBe(lines.length);
      // the last service's last real server (not toContain: a failure would print all 89 MB)
      expect(lines.find((l) => l.startsWith('ipvs_destination_weight{service="tcp 192.0.2.250:1039"') && l.includes('server_port="8083"'))).toBe(
        'ipvs_destination_weight{service="tcp 192.0.2.250:1039",protocol="tcp",address="192.0.2.250",port="1039",fwmark="",family="inet",server_address="198.51.100.21",server_port="8083",forwarding="masq",tunnel=""} 4',
      );
      const sample = r.stdout.split('\n').filter((l, i) => l.startsWith('#') || i % 10 === 0).join('\n');
      const check = spawnSync('promtool', ['check', 'metrics'], { input: `${sample}\n`, encoding: 'utf8', maxBuffer: 1 << 26 });
      expect({ status: check.status, out: check.stdout + check.stderr }).toEqual({ status: 0, out: '' });
      console.log(`metrics: 10,000 × 4: ${lines.length} series, ${r.stdout.length} bytes; promtool on ${sample.split('\n').length} lines`);
    } finally {
      const deleted = await runOurs(['-R'], { stdin: rules('delete') });
      expect(deleted.code).toBe(0);
    }
  }, 600_000);
});

/** Entries of 1.31's `-Lnc` counted by lower-case protocol and state (`tcp ESTABLISHED` → 3). */
function cEntryCounts(): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of runC(['-Lnc']).stdout.split('\n').slice(2)) {
    const w = line.trim().split(/\s+/);
    if (w.length < 6) continue;
    const key = `${w[0]!.toLowerCase()} ${w[2]}`;
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

/** The samples of ipvs_connection_entries, keyed as cEntryCounts keys them (zeros left out: -Lnc has no such rows). */
function entryCounts(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^ipvs_connection_entries\{protocol="([^"]+)",state="([^"]+)"\} (\d+)$/gm)) out.set(`${m[1]} ${m[2]}`, Number(m[3]));
  return out;
}

/** Ours between two 1.31 readings that agree (entries change state as time passes: retried). */
async function entriesBothWays(): Promise<{ before: Map<string, number>; ours: string }> {
  for (let attempt = 0; ; attempt++) {
    const before = cEntryCounts();
    const r = await runOurs(['metrics']);
    expect({ stderr: r.stderr, code: r.code }).toEqual({ stderr: '', code: 0 });
    const after = cEntryCounts();
    if (JSON.stringify([...before].sort()) === JSON.stringify([...after].sort())) return { before, ours: r.stdout };
    if (attempt === 4) throw new Error(`the connection table kept changing: ${JSON.stringify([...before])} / ${JSON.stringify([...after])}`);
  }
}
