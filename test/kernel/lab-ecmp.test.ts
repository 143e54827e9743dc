// `ipvsadm lab --directors 2 --ha ecmp` run inside the kernel it would boot (IPVSADM_TS_GUEST=1 runs
// it right here): the fleet is built, its BIRD configurations printed, the held connections spread
// over both directors, the busiest stopped; every connection survives (exit 0) and nothing is left.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { assertInGuest } from './support/guest.js';
import { runOurs } from './support/ours.js';

assertInGuest();

describe('ipvsadm lab --directors 2 --ha ecmp (run inside the kernel it would boot)', () => {
  it('builds the fleet, stops the busiest director, every held connection survives: exit 0', { timeout: 240_000 }, async () => {
    const r = await runOurs(['lab', '--directors', '2', '--ha', 'ecmp', '--connections', '20']);
    console.log(r.stdout);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  merge paths on;\n');
    expect(r.stdout).toContain('lab: the router\'s route: 2 next hops (198.18.0.11, 198.18.0.12)\n');
    const spread = /^lab: 20 connections spread over the directors: ec-d1 (\d+), ec-d2 (\d+)$/m.exec(r.stdout);
    expect(spread, r.stdout).not.toBeNull();
    expect(Number(spread![1]) + Number(spread![2])).toBe(20);
    const flows = /^lab: flows held (\d+) of 20, flows moved (\d+) \(held (\d+)\), flows broken (\d+)$/m.exec(r.stdout);
    expect(flows, r.stdout).not.toBeNull();
    const [held, moved, movedHeld, broken] = flows!.slice(1).map(Number);
    expect({ held, broken }).toEqual({ held: 20, broken: 0 });
    expect(moved).toBeGreaterThan(0);
    expect(movedHeld).toBe(moved);
    // the lab leaves no namespace behind
    expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toMatch(/^ec-/m);
  });
});
