// `ipvsadm top` in the kernel, in a real terminal (tmux): after real NAT traffic its exact
// counters and deltas equal 1.31's `-Ln --stats --exact`, the cells that changed are in reverse
// video, keys sort, a new terminal size redraws at once, `q`, Ctrl-C and SIGTERM end it with 0
// and the screen put back; it refreshes by itself every second. Not on a terminal: plain blocks,
// and a pipe closed early ends it quietly (141) as a C tool.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertInGuest, resetIpvs, runC } from './support/guest.js';
import { clearIpvsConnections, createNatLab, LAB_PORTS } from './support/nat-lab.js';
import type { NatLab } from './support/nat-lab.js';
import { TmuxSession } from './support/tmux.js';

assertInGuest();

const BIN = fileURLToPath(new URL('../../bin/ipvsadm.js', import.meta.url));
const VIP = '192.0.2.60';
const SERVICE = `${VIP}:80`;
const RS1 = `198.51.100.1:${LAB_PORTS.http}`;
const RS2 = `198.51.100.2:${LAB_PORTS.http}`;
let lab: NatLab | undefined;
const sessions: TmuxSession[] = [];

function session(args: readonly string[], size: { columns: number; rows: number }): TmuxSession {
  const s = new TmuxSession(['node', BIN, 'top', ...args], size);
  sessions.push(s);
  return s;
}

beforeAll(async () => {
  resetIpvs();
  lab = await createNatLab({ vips: [VIP], servers: 2 });
  for (const line of [`-A -t ${SERVICE} -s wrr`, `-a -t ${SERVICE} -r ${RS1} -m -w 3`, `-a -t ${SERVICE} -r ${RS2} -m -w 1`, `-A -u ${VIP}:53 -s rr`]) {
    const r = runC(line.split(' '));
    if (r.code !== 0) throw new Error(`ipvsadm ${line}: ${r.stderr}`);
  }
}, 120_000);

afterAll(async () => {
  sessions.forEach((s) => s.close());
  await lab?.teardown();
  await clearIpvsConnections();
  resetIpvs();
});

const COLUMNS = ['mode', 'weight', 'active', 'inactive', 'persistent', 'conns', 'new', 'cps', 'inpps', 'outpps', 'inbps', 'outbps', 'inbytes', 'outbytes'] as const;
type Row = Record<(typeof COLUMNS)[number], string>;

/** Our row of a service (`TCP VIP:80`) or real server (`-> RS`) on a full-width screen. */
function ourRow(screen: string, name: string): Row | undefined {
  const line = screen.split('\n').find((l) => l.trimStart().startsWith(name.startsWith('->') ? name : `TCP ${name}`));
  if (!line) return undefined;
  const cells = line.trim().split(/\s+/).slice(2);
  return Object.fromEntries(COLUMNS.map((c, i) => [c, cells[i]!])) as Row;
}

/** 1.31's counters of a service or real server: `-Ln --stats --exact` (Conns InPkts OutPkts InBytes OutBytes) and `-Ln` (ActiveConn InActConn). */
function cRow(name: string): { conns: string; inbytes: string; outbytes: string; active: string; inactive: string } {
  const address = name.replace(/^-> /, '');
  const pick = (text: string): string[] => {
    const line = text.split('\n').find((l) => l.trim().split(/\s+/)[1] === address);
    if (!line) throw new Error(`1.31 does not list ${address}:\n${text}`);
    return line.trim().split(/\s+/);
  };
  const stats = pick(runC(['-Ln', '--stats', '--exact']).stdout);
  const list = pick(runC(['-Ln']).stdout);
  return { conns: stats[2]!, inbytes: stats[5]!, outbytes: stats[6]!, active: list[4] ?? '', inactive: list[5] ?? '' };
}

describe('ipvsadm top in a terminal', () => {
  it('counters equal to 1.31 after real traffic, deltas, changed cells in reverse video; keys sort; a new size redraws; q puts the screen back', async () => {
    const s = session(['-n', '-x', '--interval', '600'], { columns: 200, rows: 30 });
    const first = await s.waitFor((x) => x.includes(`TCP ${SERVICE}`) && x.includes(`-> ${RS2}`));
    expect(first.split('\n')[0]).toMatch(/^ipvsadm top - IP Virtual Server version \d+\.\d+\.\d+ \(size=\d+\) - \d{4}-\d\d-\d\d \d\d:\d\d:\d\d - every 600 s - sorted by 1\.31 order/);
    expect(ourRow(first, SERVICE)).toMatchObject({ mode: 'wrr', weight: '4', conns: '0', new: '-' });
    expect(ourRow(first, `-> ${RS1}`)).toMatchObject({ mode: 'Masq', weight: '3', conns: '0' });

    expect(lab!.client([`http ${VIP} 80 8`])).toEqual({ [`http ${SERVICE}`]: { rs1: 6, rs2: 2 } });
    // Linux 6.1 sums the per-CPU counters it reports in its 2-second estimator timer: wait until
    // 1.31 sees them, then read once (Space), so the deltas are those of the whole traffic
    const deadline = Date.now() + 15_000;
    while (cRow(SERVICE).conns !== '8') {
      if (Date.now() > deadline) throw new Error(`1.31 never listed 8 connections:\n${runC(['-Ln', '--stats', '--exact']).stdout}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    s.keys('Space'); // read now
    const after = await s.waitFor((x) => ourRow(x, SERVICE)?.conns === '8');
    for (const name of [SERVICE, `-> ${RS1}`, `-> ${RS2}`]) {
      const ours = ourRow(after, name)!;
      const c = cRow(name);
      // the first read was before any traffic: every delta is the whole counter
      expect({ conns: ours.conns, new: ours.new, inbytes: ours.inbytes, outbytes: ours.outbytes }, name).toEqual({ conns: c.conns, new: c.conns, inbytes: c.inbytes, outbytes: c.outbytes });
      if (name.startsWith('->')) expect({ active: ours.active, inactive: ours.inactive }, name).toEqual({ active: c.active, inactive: c.inactive });
    }
    expect(Number(ourRow(after, `-> ${RS1}`)!.conns)).toBe(6);
    const painted = s.screen(true).split('\n').find((l) => l.includes(`TCP ${SERVICE}`))!;
    expect(painted, 'the Conns cell 0 → 8 in reverse video').toMatch(/\x1b\[(?:\d+;)*7m8\x1b/);

    s.keys('w');
    const byWeight = await s.waitFor((x) => x.includes('sorted by weight, largest first'));
    expect(byWeight.indexOf(`-> ${RS1}`)).toBeLessThan(byWeight.indexOf(`-> ${RS2}`));
    s.keys('w');
    const reversed = await s.waitFor((x) => x.includes('sorted by weight, smallest first'));
    expect(reversed.indexOf(`-> ${RS2}`)).toBeLessThan(reversed.indexOf(`-> ${RS1}`));

    s.resize(64, 12);
    const narrow = await s.waitFor((x) => !x.includes('OutPPS') && x.includes('ActConn'));
    const lines = narrow.split('\n').filter((l) => l !== '');
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(64);
    expect(lines.some((l) => l.includes(`-> ${RS1}`))).toBe(true);
    expect(lines.at(-1)).toMatch(/^q quit/);

    s.keys('q');
    expect(await s.waitForExit()).toBe(0);
    expect(s.screen()).not.toContain('ipvsadm top');
  }, 120_000);

  it('reads every second by itself; Ctrl-C and SIGTERM end it with 0 and the screen put back', async () => {
    const s = session(['-n'], { columns: 150, rows: 20 });
    const clock = (x: string): string | undefined => /\d\d:\d\d:\d\d/.exec(x.split('\n')[0] ?? '')?.[0];
    const first = await s.waitFor((x) => x.includes(`TCP ${SERVICE}`));
    expect(first.split('\n')[0]).toContain('every 1 s');
    await s.waitFor((x) => clock(x) !== undefined && clock(x) !== clock(first), 15_000);
    s.keys('C-c');
    expect(await s.waitForExit()).toBe(0);
    expect(s.screen()).not.toContain('ipvsadm top');

    const t = session(['-n'], { columns: 150, rows: 20 });
    await t.waitFor((x) => x.includes(`TCP ${SERVICE}`));
    process.kill(t.pid(), 'SIGTERM');
    expect(await t.waitForExit()).toBe(0);
    expect(t.screen()).not.toContain('ipvsadm top');
  }, 120_000);
});

describe('ipvsadm top not on a terminal', () => {
  it('--count: plain blocks with 1.31\'s counters, no escape sequences', () => {
    const r = spawnSync('node', [BIN, 'top', '-n', '-x', '--count', '2', '--interval', '0.5'], { encoding: 'utf8' });
    expect({ stderr: r.stderr, status: r.status }).toEqual({ stderr: '', status: 0 });
    const blocks = r.stdout.split('\n\n').filter((b) => b !== '');
    expect(blocks).toHaveLength(2);
    expect(r.stdout).not.toContain('\x1b');
    for (const name of [SERVICE, `-> ${RS1}`, `-> ${RS2}`]) {
      const row = blocks[1]!.split('\n').find((l) => l.trimStart().startsWith(name.startsWith('->') ? name : `TCP ${name}`))!.trim().split(/\s+/);
      expect(row[7], name).toBe(cRow(name).conns);
    }
  });

  it('-t: only that service; -u of one that is not there: exit 3 with 1.31\'s words', () => {
    const all = spawnSync('node', [BIN, 'top', '-n', '--count', '1'], { encoding: 'utf8' });
    expect(all.stdout).toContain(`\nUDP ${VIP}:53 `);
    const one = spawnSync('node', [BIN, 'top', '-n', '--count', '1', '-t', SERVICE], { encoding: 'utf8' });
    expect({ stderr: one.stderr, status: one.status }).toEqual({ stderr: '', status: 0 });
    expect(one.stdout.split('\n')[1]).toMatch(/^1 service, 2 real servers /);
    expect(one.stdout).toContain(`\nTCP ${SERVICE} `);
    expect(one.stdout).not.toContain(`UDP ${VIP}:53`);
    const none = spawnSync('node', [BIN, 'top', '-n', '--count', '1', '-u', `${VIP}:54`], { encoding: 'utf8' });
    expect({ stdout: none.stdout, stderr: none.stderr, status: none.status }).toEqual({ stdout: '', stderr: 'ipvsadm top: cannot read IPVS: No such service\n', status: 3 });
  });

  it('a pipe closed early (| head -3): only the head, status 141, nothing on stderr', () => {
    const r = spawnSync('bash', ['-c', `node ${BIN} top -n --interval 0.2 2>/tmp/top-stderr | head -3; echo "status=\${PIPESTATUS[0]}"; cat /tmp/top-stderr`], { encoding: 'utf8', timeout: 60_000 });
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^ipvsadm top - /);
    expect(lines.slice(3)).toEqual(['status=141', '']);
  });
});
