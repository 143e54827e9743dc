// `ipvsadm drain` in the kernel with real connections through a NAT service: weight 0 at once
// (new requests go elsewhere, 1.31 lists weight 0), --wait returns when the held connections
// close midway and --delete then removes the real server; a drain that times out exits 1 and
// leaves it at weight 0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertInGuest, resetIpvs, runC } from './support/guest.js';
import { clearIpvsConnections, createNatLab, LAB_PORTS } from './support/nat-lab.js';
import type { NatLab } from './support/nat-lab.js';
import { runOurs } from './support/ours.js';

assertInGuest();

const VIP = '192.0.2.40';
const RS1 = `198.51.100.1:${LAB_PORTS.http}`;
const RS2 = `198.51.100.2:${LAB_PORTS.http}`;
let lab: NatLab | undefined;

beforeAll(async () => {
  resetIpvs();
  lab = await createNatLab({ vips: [VIP], servers: 2 });
}, 120_000);

afterAll(async () => {
  await lab?.teardown();
  // connection entries outlive their service for minutes: later `-c` listings must not see them
  await clearIpvsConnections();
  resetIpvs();
});

function table(): void {
  resetIpvs();
  for (const line of [`-A -t ${VIP}:80 -s rr`, `-a -t ${VIP}:80 -r ${RS1} -m -w 3`, `-a -t ${VIP}:80 -r ${RS2} -m -w 1`]) {
    const r = runC(line.split(' '));
    if (r.code !== 0) throw new Error(`ipvsadm ${line}: ${r.stderr}`);
  }
}

/** The active connections 1.31 lists for a real server. */
function activeOf(server: string): number {
  const line = runC(['-Ln']).stdout.split('\n').find((l) => l.includes(server));
  return Number(line?.trim().split(/\s+/)[4] ?? NaN);
}

describe('drain with real connections', () => {
  it('--wait --delete: new requests avoid the server at once; it is deleted when its held connections close', async () => {
    table();
    // 4 connections held open for 8 s: rr puts 2 on each real server
    const held = await lab!.startClient([`hold ${VIP} 80 4 8`], { waitForLine: true });
    expect(activeOf(RS1)).toBe(2);
    const started = Date.now();
    const drained = runOurs(['drain', '-t', `${VIP}:80`, '-r', RS1, '--wait', '--timeout', '60', '--delete']);
    // meanwhile: the weight is 0 for 1.31 too (as soon as drain has started), and new requests all go to rs2
    const zero = new RegExp(`-> ${RS1.replace(/\./g, '\\.')}\\s+Masq\\s+0\\s+2\\s`);
    const deadline = Date.now() + 20_000;
    while (!zero.test(runC(['-Ln']).stdout)) {
      if (Date.now() > deadline) throw new Error(`the weight never became 0: ${runC(['-Ln']).stdout}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(lab!.client([`http ${VIP} 80 6`])).toEqual({ [`http ${VIP}:80`]: { rs2: 6 } });
    const r = await drained;
    const waited = Date.now() - started;
    await held.stop();
    console.log(`drain --wait: ${waited} ms for 2 held connections that closed after 8 s`);
    expect({ stderr: r.stderr, code: r.code }).toEqual({ stderr: '', code: 0 });
    expect(r.stdout.split('\n')[0]).toBe(`drain: ${RS1} of tcp ${VIP}:80: weight 3 → 0`);
    expect(r.stdout).toContain('drain: waiting: active 2, inactive 0, persistent 0 (0 s)\n');
    expect(r.stdout).toMatch(/drain: drained after \d+ s \(active 0, inactive \d+, persistent 0\)\ndrain: deleted\n$/);
    expect(waited).toBeGreaterThan(4000);
    expect(runC(['-Sn']).stdout).toBe(`-A -t ${VIP}:80 -s rr\n-a -t ${VIP}:80 -r ${RS2} -m -w 1\n`);
  }, 90_000);

  it('--timeout: exit 1 while connections are still open; the server stays, at weight 0', async () => {
    table();
    const held = await lab!.startClient([`hold ${VIP} 80 4 30`], { waitForLine: true });
    const r = await runOurs(['drain', '-t', `${VIP}:80`, '-r', RS2, '--wait', '--timeout', '3', '--delete']);
    await held.stop();
    expect({ stderr: r.stderr, code: r.code }).toEqual({ stderr: '', code: 1 });
    // the held connections are still open: 2 of the 4 are on this real server (rr)
    expect(r.stdout).toMatch(/drain: timed out after [34] s \(active 2, inactive \d+, persistent 0\); the weight stays 0\n$/);
    expect(runC(['-Sn']).stdout).toBe(`-A -t ${VIP}:80 -s rr\n-a -t ${VIP}:80 -r ${RS1} -m -w 3\n-a -t ${VIP}:80 -r ${RS2} -m -w 0\n`);
  }, 90_000);
});
