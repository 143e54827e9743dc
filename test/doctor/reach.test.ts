// doctor's reachability hints over given paths: no route and unreachable routes fail, direct
// routing through a gateway fails, a next hop that did not answer ARP warns, NAT through a
// gateway is a note, local addresses a note, the rest counted as one ok line; routes that could
// not be read are a note, and a table without real servers asks nothing.
import { describe, expect, it } from 'vitest';
import { reachChecks, realServerAddresses } from '../../src/doctor/reach.js';
import type { PathFacts } from '../../src/doctor/reach.js';
import { neighbourStateName } from '../../src/doctor/routes.js';
import type { ForwardingMethod } from '../../src/ipvs/model.js';
import type { Snapshot } from '../../src/ipvs/model.js';
import { dest, entry, svc } from '../support/format-fixtures.js';

function snapshot(...servers: [string, ForwardingMethod][]): Snapshot {
  return {
    info: { version: 0x10201, connTabSize: 4096 },
    timeouts: { tcp: 900, tcpFin: 120, udp: 300 },
    daemons: [],
    services: [entry(svc(6, '192.0.2.1', 80), ...servers.map(([a, m]) => dest(a, 80, { forwarding: m })))],
  };
}

describe('reachChecks', () => {
  it('judges each address by the methods that use it', () => {
    const table = snapshot(
      ['198.51.100.1', 'route'],
      ['198.51.100.2', 'route'],
      ['203.0.113.3', 'masq'],
      ['203.0.113.4', 'tunnel'],
      ['198.51.100.5', 'masq'],
      ['192.0.2.1', 'masq'],
      ['198.51.100.7', 'tunnel'],
      ['203.0.113.8', 'route'],
    );
    const paths: PathFacts = {
      '198.51.100.1': { route: { type: 'unicast', dev: 'eth1' }, neighbour: 'REACHABLE' },
      '198.51.100.2': { route: { type: 'unicast', dev: 'eth1' }, neighbour: 'FAILED' },
      '203.0.113.3': { route: { type: 'unicast', gateway: '198.51.100.254', dev: 'eth1' }, neighbour: 'STALE' },
      '203.0.113.4': { route: { type: 'unicast', gateway: '198.51.100.254', dev: 'eth1' } },
      '198.51.100.5': { route: { error: 'ENETUNREACH' } },
      '192.0.2.1': { route: { type: 'local', dev: 'lo' } },
      '198.51.100.7': { route: { type: 'blackhole' } },
      '203.0.113.8': { route: { type: 'unicast', gateway: '198.51.100.254', dev: 'eth1' } },
    };
    const checks = reachChecks(table, paths);
    expect(checks.map((c) => [c.check, c.verdict])).toEqual([
      ['real server routes', 'ok'],
      ['real server 198.51.100.2', 'warn'],
      ['real server 203.0.113.3', 'info'],
      ['real server 198.51.100.5', 'fail'],
      ['real server 192.0.2.1', 'info'],
      ['real server 198.51.100.7', 'fail'],
      ['real server 203.0.113.8', 'fail'],
    ]);
    expect(checks[0]!.detail).toBe('2 of 8 real server addresses reached as their forwarding method needs');
    expect(checks[1]!.detail).toBe('it did not answer ARP/ND (neighbour FAILED) on eth1');
    expect(checks[3]!).toMatchObject({ detail: 'no route (ENETUNREACH); used by NAT', fix: 'add a route to it, or an address on its network' });
    expect(checks[6]!.detail).toBe('direct routing needs the real server on a network this director is attached to, but it is reached via 198.51.100.254 on eth1');
    for (const c of checks.filter((c) => c.verdict === 'warn' || c.verdict === 'fail')) expect(c.fix, c.check).toBeTruthy();
  });

  it('one address used by two methods is judged once, by both', () => {
    const table = snapshot(['203.0.113.9', 'masq'], ['203.0.113.9', 'route']);
    expect(realServerAddresses(table).get('203.0.113.9')).toEqual(new Set(['masq', 'route']));
    const checks = reachChecks(table, { '203.0.113.9': { route: { type: 'unicast', gateway: '198.51.100.254', dev: 'eth1' } } });
    expect(checks.map((c) => c.verdict)).toEqual(['fail']);
  });

  it('routes that could not be read are a note; without real servers nothing is asked', () => {
    expect(reachChecks(snapshot(['198.51.100.1', 'route']), { error: 'netlink request failed: EPERM' })).toEqual([{ check: 'real server routes', verdict: 'info', detail: 'the routes could not be read: netlink request failed: EPERM' }]);
    expect(reachChecks(snapshot(), { error: 'x' })).toEqual([]);
  });
});

describe('neighbourStateName', () => {
  it('names the most telling bit', () => {
    expect([0x20, 0x01, 0x02, 0x04, 0x80, 0x40, 0, 0x22].map(neighbourStateName)).toEqual(['FAILED', 'INCOMPLETE', 'REACHABLE', 'STALE', 'PERMANENT', 'NOARP', 'NONE', 'FAILED']);
  });
});
