// The readiness verdict from facts: each way a director is not ready is named (IPVS unreadable, no
// service, a service without a usable real server, the table not the file's, a sync daemon missing
// or on a link that cannot carry it), and a table like its file with its daemons up is ready.
import { describe, expect, it } from 'vitest';
import { readDesired } from '../../src/core/desired.js';
import type { DaemonConfig } from '../../src/ipvs/model.js';
import { judge } from '../../src/ready/verdict.js';
import type { ReadyFacts, ReadyPolicy } from '../../src/ready/verdict.js';
import type { TableService } from '../../src/table/compare.js';
import { FixedNames } from '../support/fixed-names.js';

const table = async (lines: string[]): Promise<readonly TableService[]> => (await readDesired(`${lines.join('\n')}\n`, new FixedNames())).services;
const NONE: ReadyPolicy = { roles: [], ignoreWeights: false };
const PAIR: ReadyPolicy = { roles: ['master', 'backup'], ignoreWeights: false };
const FILE = ['-A -t 192.0.2.1:80 -s rr', '-a -t 192.0.2.1:80 -r 198.51.100.1:80 -g -w 1', '-a -t 192.0.2.1:80 -r 198.51.100.2:80 -g -w 2', '-A -u 192.0.2.1:53 -s rr', '-a -u 192.0.2.1:53 -r 198.51.100.1:53 -g -w 1'];
const daemon = (state: 'master' | 'backup', mcastIfn = 'eth0'): DaemonConfig => ({ state, mcastIfn, syncId: 7 });
const UP = { up: true, running: true, multicast: true };

async function facts(lines: string[], more: Partial<ReadyFacts> = {}, daemons: DaemonConfig[] = []): Promise<ReadyFacts> {
  return { ipvs: { services: await table(lines), daemons }, ...more };
}

describe('judge', () => {
  it('is ready with services that each have a real server above weight 0, and counts them', async () => {
    expect(judge(await facts(FILE), NONE)).toEqual({ ready: true, reasons: [], services: 2, usable: 2, daemons: [] });
  });

  it('is not ready when IPVS cannot be read, or holds no service', async () => {
    expect(judge({ ipvs: { error: 'Protocol not available' } }, NONE)).toMatchObject({ ready: false, reasons: ['IPVS cannot be read: Protocol not available'] });
    expect(judge(await facts([]), NONE)).toMatchObject({ ready: false, reasons: ['no virtual service in the table'] });
  });

  it('names each service without a real server, or with all at weight 0', async () => {
    const lines = [...FILE.map((l) => l.replace(/-w \d/, '-w 0')).filter((l) => !l.includes(':53 -r')), '-A -t 192.0.2.9:80 -s wlc'];
    const v = judge(await facts(lines), NONE);
    expect(v).toMatchObject({ ready: false, services: 3, usable: 0 });
    expect(v.reasons).toEqual(['tcp 192.0.2.1:80: every real server at weight 0 (2)', 'udp 192.0.2.1:53: no real server', 'tcp 192.0.2.9:80: no real server']);
  });

  it('compares the table with the rules file: services, settings, real servers and weights, kernel side first', async () => {
    const kernel = [...FILE.slice(0, 2), '-a -t 192.0.2.1:80 -r 198.51.100.2:80 -g -w 5', '-a -t 192.0.2.1:80 -r 198.51.100.3:80 -g -w 1', '-A -t 192.0.2.7:80 -s sh'];
    const rules = { name: 'rules.txt', services: await table(FILE.map((l) => l.replace('-s rr', '-s wrr'))) };
    const v = judge(await facts(kernel, { rules }), NONE);
    expect(v.reasons).toEqual([
      'tcp 192.0.2.7:80: no real server',
      'tcp 192.0.2.1:80: scheduler not as in rules.txt',
      'tcp 192.0.2.1:80: real server 198.51.100.3:80 in the table, not in rules.txt',
      'tcp 192.0.2.1:80: real server 198.51.100.2:80: weight not as in rules.txt',
      'tcp 192.0.2.7:80: in the table, not in rules.txt',
      'udp 192.0.2.1:53: in rules.txt, not in the table',
    ]);
    const same = judge(await facts(FILE, { rules: { name: 'rules.txt', services: await table(FILE) } }), NONE);
    expect(same.ready).toBe(true);
  });

  it('--ignore-weights: a weight a health checker changed is no difference, a missing real server still is', async () => {
    const kernel = FILE.map((l) => l.replace('198.51.100.2:80 -g -w 2', '198.51.100.2:80 -g -w 0')).filter((l) => !l.includes(':53 -r'));
    const rules = { name: 'r', services: await table(FILE) };
    expect(judge(await facts(kernel, { rules }), { roles: [], ignoreWeights: true }).reasons).toEqual(['udp 192.0.2.1:53: no real server', 'udp 192.0.2.1:53: real server 198.51.100.1:53 in r, not in the table']);
    expect(judge(await facts(kernel, { rules }), NONE).reasons).toContain('tcp 192.0.2.1:80: real server 198.51.100.2:80: weight not as in r');
  });

  it('names at most ten differences from the file and counts the rest; an unreadable file is a reason', async () => {
    const many = Array.from({ length: 14 }, (_, i) => `-A -t 203.0.113.${i + 1}:80 -s rr`);
    const v = judge(await facts(FILE, { rules: { name: 'r', services: await table([...FILE, ...many]) } }), NONE);
    expect(v.reasons).toHaveLength(11);
    expect(v.reasons[10]).toBe('... and 4 more differences from r');
    expect(judge(await facts(FILE, { rules: { name: 'r', error: 'cannot be read (ENOENT)' } }), NONE).reasons).toEqual(['r: cannot be read (ENOENT)']);
  });

  it('a pair needs both sync daemons, each on a link that is there, up and multicast-capable', async () => {
    expect(judge(await facts(FILE, { links: { eth0: UP } }, [daemon('master'), daemon('backup')]), PAIR)).toMatchObject({ ready: true, daemons: ['master on eth0, syncid 7', 'backup on eth0, syncid 7'] });
    expect(judge(await facts(FILE, {}, [daemon('master')]), PAIR).reasons).toEqual(['sync daemon backup not running']);
    const links = { eth0: { ...UP, up: false }, eth1: { ...UP, multicast: false } } as const;
    const v = judge(await facts(FILE, { links }, [daemon('master'), daemon('backup', 'eth1')]), PAIR);
    expect(v.reasons).toEqual(['sync daemon master: interface eth0 is down', 'sync daemon backup: interface eth1 is not multicast-capable']);
    expect(judge(await facts(FILE, { links: {} }, [daemon('master'), daemon('backup')]), PAIR).reasons).toEqual(['sync daemon master: interface eth0 missing', 'sync daemon backup: interface eth0 missing']);
    // links that cannot be read say nothing against the daemons; no daemon is needed without a role
    expect(judge(await facts(FILE, { links: { error: 'EPERM' } }, [daemon('master'), daemon('backup')]), PAIR).ready).toBe(true);
    expect(judge(await facts(FILE), NONE).ready).toBe(true);
  });
});
