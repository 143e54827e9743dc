// `--json` on a table the C ipvsadm built with every kind of service and real server (IPv4, IPv6,
// marks of both families, SCTP, NAT/DR/TUN with ipip/gue/gre and their checksum flags,
// thresholds, persistence with a mask, one-packet, pe sip, scheduler flags) and both sync
// daemons: each document validates against the shipped schema, and the lines 1.31 prints
// (-Ln, --tun-info, --thresholds, --daemon, --timeout) are what the documents say.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validJson } from '../support/json-schema.js';
import { assertInGuest, resetIpvs, runC, sh } from './support/guest.js';
import { runOurs } from './support/ours.js';
import { EVERY_KIND } from './support/every-kind.js';

assertInGuest();

interface Dest {
  address: string;
  family: string;
  port: number;
  forwarding: string;
  weight: number;
  upperThreshold: number;
  lowerThreshold: number;
  tunnel: null | { type: string; port?: number; checksum?: string };
  activeConnections: number;
  inactiveConnections: number;
}
interface Svc {
  protocol?: string;
  address?: string;
  port?: number;
  fwmark?: number;
  family: string;
  scheduler: string;
  schedulerFlags: string[];
  persistence: null | { timeout: number; netmask: string | number };
  onePacket: boolean;
  pe: string | null;
  destinations: Dest[];
}

const endpoint = (address: string, family: string, port: number): string => (family === 'inet6' ? `[${address}]:${port}` : `${address}:${port}`);

/** 1.31's service line of -Ln, made from a document's service. */
function serviceLine(s: Svc): string {
  const name = s.fwmark !== undefined ? `FWM  ${s.fwmark}${s.family === 'inet6' ? ' IPv6' : ''}` : `${s.protocol!.toUpperCase().padEnd(4)} ${endpoint(s.address!, s.family, s.port!)}`;
  const flags = s.schedulerFlags.length > 0 ? ` (${s.schedulerFlags.join(',')})` : '';
  const p = s.persistence;
  const mask = p && p.netmask !== '255.255.255.255' && p.netmask !== 128 ? ` mask ${p.netmask}` : '';
  const persistence = p ? ` persistent ${p.timeout}${mask}${s.pe ? ` pe ${s.pe}` : ''}` : '';
  return `${name} ${s.scheduler}${flags}${persistence}${s.onePacket ? ' ops' : ''}`;
}

const FORWARD: Readonly<Record<string, string>> = { masq: 'Masq', local: 'Local', tunnel: 'Tunnel', route: 'Route' };
const CSUM: Readonly<Record<string, string>> = { nocsum: '-c', csum: '+c', remcsum: 'r+c' };

function tunnelInfo(d: Dest): string {
  const t = d.tunnel;
  if (!t) return 'n/a';
  return t.type === 'ipip' ? 'ipip' : t.type === 'gue' ? `gue:${t.port}:${CSUM[t.checksum!]}` : `gre:${CSUM[t.checksum!]}`;
}

/** The words of each service and destination line of a 1.31 listing (runs of blanks as one). */
function lineWords(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => /^(TCP|UDP|SCTP|FWM)\b|^ {2}-> /.test(l) && !l.includes('RemoteAddress'))
    .map((l) => l.trim().split(/\s+/).join(' '));
}

function expectedLines(services: readonly Svc[], dest: (d: Dest) => (string | number)[]): string[] {
  return services.flatMap((s) => [serviceLine(s), ...s.destinations.map((d) => ['->', endpoint(d.address, d.family, d.port), ...dest(d)].join(' '))]).map((l) => l.split(/\s+/).join(' '));
}

beforeAll(() => {
  resetIpvs();
  sh('ip link add dummy0 type dummy 2>/dev/null; ip link set dummy0 up');
  for (const line of EVERY_KIND) {
    const r = runC(line.split(' '));
    if (r.code !== 0) throw new Error(`ipvsadm ${line}: ${r.stderr}`);
  }
  runC('--set 901 121 301'.split(' '));
  runC('--start-daemon master --mcast-interface dummy0 --syncid 3'.split(' '));
  runC('--start-daemon backup --mcast-interface dummy0 --syncid 7 --sync-maxlen 1000 --mcast-group 239.1.2.3 --mcast-port 9000 --mcast-ttl 5'.split(' '));
}, 60_000);

afterAll(() => {
  resetIpvs();
  sh('ip link del dummy0', { check: false });
});

describe('--json of a table and daemons built by ipvsadm 1.31', () => {
  it('-Ln --json: every service and real server as 1.31 lists them with -Ln, --tun-info and --thresholds', async () => {
    const ours = await runOurs(['-Ln', '--json']);
    expect({ stderr: ours.stderr, code: ours.code }).toEqual({ stderr: '', code: 0 });
    const doc = validJson(ours.stdout);
    const services = doc['services'] as Svc[];
    expect(services).toHaveLength(7);
    expect(lineWords(runC(['-Ln']).stdout)).toEqual(expectedLines(services, (d) => [FORWARD[d.forwarding]!, d.weight, d.activeConnections, d.inactiveConnections]));
    expect(lineWords(runC(['-Ln', '--tun-info']).stdout)).toEqual(
      expectedLines(services, (d) => [FORWARD[d.forwarding]!, tunnelInfo(d), d.weight, d.activeConnections, d.inactiveConnections]),
    );
    // --thresholds: service lines without scheduler details
    const thresholds = lineWords(runC(['-Ln', '--thresholds']).stdout).filter((l) => l.startsWith('->'));
    expect(thresholds).toEqual(
      expectedLines(services, (d) => [d.upperThreshold, d.lowerThreshold, d.activeConnections, d.inactiveConnections]).filter((l) => l.startsWith('->')),
    );
    const ipvs = doc['ipvs'] as { version: string; connectionTableSize: number };
    expect(runC(['-Ln']).stdout.split('\n')[0]).toBe(`IP Virtual Server version ${ipvs.version} (size=${ipvs.connectionTableSize})`);
  });

  it('-L -t VIP:PORT --json and -L without -n: one service; names beside the numbers', async () => {
    const one = validJson((await runOurs(['-Ln', '-t', '192.0.2.1:80', '--json'])).stdout);
    expect(one['ipvs']).toBeUndefined();
    expect((one['services'] as Svc[]).map(serviceLine)).toEqual(['TCP  192.0.2.1:80 wlc']);
    const named = validJson((await runOurs(['-L', '-t', '192.0.2.1:80', '--json'])).stdout);
    expect((named['services'] as (Svc & { portName?: string })[])[0]!.portName).toBe('http');
  });

  it('-L --daemon --json and -L --timeout --json: what 1.31 prints', async () => {
    const daemons = validJson((await runOurs(['-L', '--daemon', '--json'])).stdout)['daemons'] as Record<string, string | number>[];
    const text = daemons.map((d) => `${d['state']} sync daemon (mcast=${d['interface']}, syncid=${d['syncId']}, maxlen=${d['syncMaxlen']}, group=${d['group']}, port=${d['port']}, ttl=${d['ttl']})\n`);
    expect(text.join('')).toBe(runC(['-L', '--daemon']).stdout);
    expect(daemons.map((d) => d['state'])).toEqual(['master', 'backup']);
    const t = validJson((await runOurs(['-L', '--timeout', '--json'])).stdout)['timeouts'] as Record<string, number>;
    expect(`Timeout (tcp tcpfin udp): ${t['tcp']} ${t['tcpFin']} ${t['udp']}\n`).toBe(runC(['-L', '--timeout']).stdout);
    expect(t).toEqual({ tcp: 901, tcpFin: 121, udp: 301 });
  });

  it('--json with a change or a restore: refused with status 2, the table unchanged', async () => {
    const before = runC(['-Sn']).stdout;
    for (const args of [['-A', '-t', '192.0.2.9:80', '--json'], ['-D', '-t', '192.0.2.1:80', '--json'], ['-C', '--json'], ['-R', '--json']]) {
      const r = await runOurs(args);
      expect(r, args.join(' ')).toEqual({ stdout: '', stderr: '--json applies to the list and save commands only (-L, -l, --list with any of its modes; -S, --save)\n', code: 2 });
    }
    expect(runC(['-Sn']).stdout).toBe(before);
  });
});
