// The same-work checks of the bench's top and apply cases: the rows a C listing and a top block
// show are read alike (headers left out), and the 1% file changes one weight in 25 services.
import { describe, expect, it } from 'vitest';
import { listedRows, onePercent } from './ops-bench.mjs';

describe('listedRows', () => {
  it('reads the services and real servers of C -Ln --stats and of a top block alike', () => {
    const c = [
      'IP Virtual Server version 1.2.1 (size=4096)',
      'Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes',
      '  -> RemoteAddress:Port',
      'TCP  192.0.2.1:1000                     0        0        0        0        0',
      '  -> 198.51.100.1:8080                  0        0        0        0        0',
    ].join('\n');
    const top = [
      'ipvsadm top - IP Virtual Server version 1.2.1 (size=4096) - 2026-12-07 19:00:00 - every 1 s - sorted by 1.31 order',
      '1 service, 1 real server | active 0, inactive 0 | 0 conn/s | in 0 pkt/s 0 B/s | out 0 pkt/s 0 B/s',
      'Prot LocalAddress:Port Sched/Fwd Weight',
      'TCP 192.0.2.1:1000     wlc            1',
      '  -> 198.51.100.1:8080 Masq           1',
    ].join('\n');
    expect(listedRows(c)).toEqual(['TCP 192.0.2.1:1000', '-> 198.51.100.1:8080']);
    expect(listedRows(top)).toEqual(listedRows(c));
    expect(listedRows(top.replace('8080 Masq', '8081 Masq'))).not.toEqual(listedRows(c));
  });
});

describe('onePercent', () => {
  it('raises the weight of the first real server of every 25th service by 10', () => {
    const rules = Array.from({ length: 50 }, (_, i) => `-A -t 192.0.2.${i + 1}:80 -s rr\n-a -t 192.0.2.${i + 1}:80 -r 198.51.100.1:80 -m -w 1\n-a -t 192.0.2.${i + 1}:80 -r 198.51.100.2:80 -m -w 2`).join('\n');
    const changed = onePercent(rules).split('\n');
    const before = rules.split('\n');
    const differ = before.flatMap((l, i) => (l === changed[i] ? [] : [[l, changed[i]]]));
    expect(differ).toEqual([
      ['-a -t 192.0.2.1:80 -r 198.51.100.1:80 -m -w 1', '-a -t 192.0.2.1:80 -r 198.51.100.1:80 -m -w 11'],
      ['-a -t 192.0.2.26:80 -r 198.51.100.1:80 -m -w 1', '-a -t 192.0.2.26:80 -r 198.51.100.1:80 -m -w 11'],
    ]);
  });
});
