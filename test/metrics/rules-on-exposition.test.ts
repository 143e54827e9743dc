// The shipped alerts on what `ipvsadm metrics` really writes: the exposition of two fake directors
// becomes promtool's input series (each sample held for 70 minutes, with the scrape's job and
// instance, empty labels dropped as Prometheus does), and `promtool test rules` checks which
// alerts fire. Catches rules that match the hand-written cases but not our own label format
// (the service label, the connection table size label, the lower-case protocol, the states).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exposition } from '../../src/metrics/exposition.js';
import type { Snapshot } from '../../src/ipvs/model.js';
import { parseConnectionFile } from '../../src/table/connections.js';
import { dest, entry, fwm, svc } from '../support/format-fixtures.js';
import { checkAlerts, scrapedSeries } from '../support/promtool.js';

/** /proc/net/ip_vs_conn with `n` entries of each protocol and state given. */
function connFile(counts: readonly [string, string, number][]): string {
  const lines = ['Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData'];
  let port = 1024;
  for (const [proto, state, n] of counts) {
    for (let i = 0; i < n; i++, port++) lines.push(`${proto} CB007109 ${port.toString(16).toUpperCase().padStart(4, '0')} C0000201 0050 C6336401 0050 ${state.padEnd(11)}      60`);
  }
  return `${lines.join('\n')}\n`;
}

const INFO = { version: 0x10201, connTabSize: 4096 };
const TIMEOUTS = { tcp: 900, tcpFin: 120, udp: 300 };
const DIRECTORS: { instance: string; snap: Snapshot; conns: string }[] = [
  {
    // a service that carried connections with both real servers at weight 0, an idle fwmark
    // service with none, a healthy IPv6 one; 3100 entries in 256 buckets, most half-open; no daemon
    instance: 'dir1:9565',
    snap: {
      info: { ...INFO, connTabSize: 256 },
      timeouts: TIMEOUTS,
      daemons: [],
      services: [
        entry(svc(6, '192.0.2.1', 80, { stats: { conns: 500n } }), dest('198.51.100.1', 80, { forwarding: 'masq', weight: 0 }), dest('198.51.100.2', 80, { forwarding: 'masq', weight: 0 })),
        entry(fwm(7)),
        entry(svc(17, '2001:db8::1', 53, { stats: { conns: 10n } }), dest('2001:db8::2', 53, { weight: 1 })),
      ],
    },
    conns: connFile([['TCP', 'SYN_RECV', 3000], ['TCP', 'ESTABLISHED', 100]]),
  },
  {
    // healthy, running a master sync daemon (so its peer dir1 should run one too)
    instance: 'dir2:9565',
    snap: { info: INFO, timeouts: TIMEOUTS, daemons: [{ state: 'master', mcastIfn: 'eth0', syncId: 7 }], services: [entry(svc(6, '192.0.2.1', 80, { stats: { conns: 100n } }), dest('198.51.100.3', 80, { activeConns: 4 }))] },
    conns: connFile([['TCP', 'ESTABLISHED', 4], ['IP', 'NONE', 1]]),
  },
];

/** promtool input series from one director's exposition, each value held for 70 minutes. */
function inputSeries(instance: string, text: string): { series: string; values: string }[] {
  const target = { job: 'ipvsadm', instance };
  const series = [...scrapedSeries(text, target)].map(([series, value]) => ({ series, values: `${value}x70` }));
  return [...series, { series: `up{job="ipvsadm",instance="${instance}"}`, values: '1x70' }];
}

const scratch = mkdtempSync(join(tmpdir(), 'ipvsadm-rules-exposition-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the shipped alerts on the exposition of two fake directors', () => {
  it('fire exactly where the table calls for them', () => {
    const dir1 = { job: 'ipvsadm', instance: 'dir1:9565' };
    const input = DIRECTORS.flatMap((d) => inputSeries(d.instance, exposition(d.snap, undefined, parseConnectionFile(d.conns))));
    const r = checkAlerts(scratch, input, '70m', {
      IPVSServiceNoUsableRealServer: [{ severity: 'critical', ...dir1, service: 'tcp 192.0.2.1:80' }],
      IPVSIdleServiceNoUsableRealServer: [{ severity: 'info', ...dir1, service: 'fwmark 7 inet' }],
      IPVSSyncDaemonDown: [{ severity: 'warning', ...dir1 }],
      IPVSConnectionTableOverloaded: [{ severity: 'warning', ...dir1 }],
      IPVSManyHalfOpenConnections: [{ severity: 'warning', ...dir1 }],
    });
    expect(r.output).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });
});
