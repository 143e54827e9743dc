// The shipped alerts on the kernel's own counters: a NAT service with a live real server and one
// no host answers for (its connections stay in SYN_RECV, counted active, none inactive; the
// director's ICMP errors count as packets out), a service that carried a connection before its
// only real server went to weight 0, then a persistent service whose quiesced real server still
// gets its returning client. Two scrapes of `ipvsadm metrics`, before and after client traffic,
// become promtool series that go on changing as they did between the scrapes (the same traffic,
// sustained); promtool then says which alerts fire. Also proves what IPVSServiceNoUsableRealServer
// relies on: the kernel refuses a connection to a service with no usable real server uncounted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAlerts, scrapedSeries } from '../support/promtool.js';
import { assertInGuest, resetIpvs, runC } from './support/guest.js';
import { clearIpvsConnections, createNatLab, LAB_PORTS } from './support/nat-lab.js';
import type { NatLab } from './support/nat-lab.js';
import { runOurs } from './support/ours.js';

assertInGuest();

const VIP = '192.0.2.60';
const LIVE = `198.51.100.1:${LAB_PORTS.http}`;
/** on the real servers' bridge, where no host answers ARP */
const DEAD = `198.51.100.200:${LAB_PORTS.http}`;
const TARGET = { job: 'ipvsadm', instance: 'director:9565' };
let lab: NatLab | undefined;
const scratch = mkdtempSync(join(tmpdir(), 'ipvsadm-alerts-'));

beforeAll(async () => {
  resetIpvs();
  lab = await createNatLab({ vips: [VIP], servers: 1 });
  for (const line of [`-A -t ${VIP}:80 -s rr`, `-a -t ${VIP}:80 -r ${LIVE} -m`, `-a -t ${VIP}:80 -r ${DEAD} -m`, `-A -t ${VIP}:81 -s rr`, `-a -t ${VIP}:81 -r ${LIVE} -m`, `-A -t ${VIP}:82 -s rr -p 300`, `-a -t ${VIP}:82 -r ${LIVE} -m`]) {
    const r = runC(line.split(' '));
    if (r.code !== 0) throw new Error(`ipvsadm ${line}: ${r.stderr}`);
  }
}, 120_000);

afterAll(async () => {
  await lab?.teardown();
  await clearIpvsConnections();
  resetIpvs();
  rmSync(scratch, { recursive: true, force: true });
});

async function scrape(): Promise<string> {
  const r = await runOurs(['metrics']);
  if (r.code !== 0) throw new Error(`ipvsadm metrics: ${r.stderr}`);
  return r.stdout;
}

/** One sample's value: the family, and the service's label. */
function valueOf(text: string, family: string, service: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${family}{service="${service}"`));
  if (!line) throw new Error(`no ${family} of ${service}`);
  return Number(line.split(' ').pop());
}

/** A scrape once the kernel has folded its per-CPU counters in: `service` shows `conns` connections. */
async function settledScrape(service: string, conns: number): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const text = await scrape();
    if (valueOf(text, 'ipvs_service_connections_total', service) === conns) return text;
    if (Date.now() > deadline) throw new Error(`${service} never showed ${conns} connections`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Series that change every minute as they did from `before` to `after`, for 30 minutes. */
function sustained(before: string, after: string): { series: string; values: string }[] {
  const from = scrapedSeries(before, TARGET);
  return [...scrapedSeries(after, TARGET)].map(([series, v1]) => {
    const v0 = Number(from.get(series) ?? v1);
    const step = Number(v1) - v0;
    return { series, values: `${v0}${step < 0 ? '' : '+'}${step}x30` };
  });
}

describe('the shipped alerts on the kernel\'s counters', () => {
  it('a NAT real server nobody answers for, and a service whose only real server went to weight 0', async () => {
    expect(lab!.client([`http ${VIP} 81 1`])).toEqual({ [`http ${VIP}:81`]: { rs1: 1 } });
    expect(runC(['-e', '-t', `${VIP}:81`, '-r', LIVE, '-m', '-w', '0']).code).toBe(0);
    const before = await settledScrape(`tcp ${VIP}:81`, 1);
    const svc80 = `tcp ${VIP}:80`;
    const conns80 = valueOf(before, 'ipvs_service_connections_total', svc80);
    // rr: every other connection goes to the dead real server and fails (1 s each)
    const traffic = lab!.client([`stream ${VIP} 80 6`, `stream ${VIP} 81 2`], { timeoutMs: 60_000 });
    const to80 = traffic[`stream ${VIP}:80`]!;
    const to81 = traffic[`stream ${VIP}:81`]!;
    expect(to80['rs1']).toBeGreaterThan(0);
    expect(to80['failed']).toBeGreaterThan(0);
    expect(to81).toEqual({ failed: to81['failed'] });
    const after = await settledScrape(svc80, conns80 + to80['rs1']! + to80['failed']!);
    // the refused connections to :81 counted nowhere: the service's counters did not move
    for (const family of ['ipvs_service_connections_total', 'ipvs_service_packets_total']) expect(valueOf(after, family, `tcp ${VIP}:81`), family).toBe(valueOf(before, family, `tcp ${VIP}:81`));
    const service = (port: number): Record<string, string> => ({ ...TARGET, service: `tcp ${VIP}:${port}`, protocol: 'tcp', address: VIP, port: String(port), family: 'inet' });
    const [deadAddress, deadPort] = DEAD.split(':') as [string, string];
    const r = checkAlerts(scratch, sustained(before, after), '20m', {
      IPVSRealServerNotAnswering: [{ severity: 'critical', ...service(80), server_address: deadAddress, server_port: deadPort, forwarding: 'masq' }],
      IPVSServiceNoUsableRealServer: [{ severity: 'critical', ...TARGET, service: `tcp ${VIP}:81` }],
    });
    console.log(`alerts: traffic ${JSON.stringify(traffic)}; promtool: ${r.output.trim().replace(/\s+/g, ' ')}`);
    expect(r.output).toContain('SUCCESS');
    expect(r.status).toBe(0);
  }, 120_000);

  it('a quiesced real server that persistence keeps sending returning clients to', async () => {
    const svc82 = `tcp ${VIP}:82`;
    expect(lab!.client([`http ${VIP} 82 1`])).toEqual({ [`http ${VIP}:82`]: { rs1: 1 } });
    expect(runC(['-e', '-t', `${VIP}:82`, '-r', LIVE, '-m', '-w', '0']).code).toBe(0);
    const before = await settledScrape(svc82, 1);
    // the same client comes back: its persistence template still names the weight-0 real server
    expect(lab!.client([`http ${VIP} 82 3`])).toEqual({ [`http ${VIP}:82`]: { rs1: 3 } });
    const after = await settledScrape(svc82, 4);
    const [liveAddress, livePort] = LIVE.split(':') as [string, string];
    const server = { ...TARGET, service: svc82, protocol: 'tcp', address: VIP, port: '82', family: 'inet', server_address: liveAddress, server_port: livePort, forwarding: 'masq' };
    const r = checkAlerts(scratch, sustained(before, after), '20m', {
      IPVSQuiescedRealServerStillScheduled: [{ severity: 'warning', ...server }],
      IPVSRealServerOutOfRotation: [{ severity: 'warning', ...server }],
      IPVSServiceNoUsableRealServer: [
        { severity: 'critical', ...TARGET, service: `tcp ${VIP}:81` },
        { severity: 'critical', ...TARGET, service: svc82 },
      ],
    });
    console.log(`alerts (persistence): promtool: ${r.output.trim().replace(/\s+/g, ' ')}`);
    expect(r.output).toContain('SUCCESS');
    expect(r.status).toBe(0);
  }, 120_000);
});
