// The typed reference parser (core/reference.ts) against the 1.31 grammar: a service and a real
// server named through it give the same key, address and port as `-d SERVICE [-6] -r SERVER` read
// by parseCommandLine (whose messages are pinned against ipvsadm 1.31), and the same UsageError
// (text and status) when they are refused.
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/core/parse.js';
import { parseServerReference, parseServiceReference, serviceReferences } from '../../src/core/reference.js';
import type { ServiceReference } from '../../src/core/reference.js';
import { UsageError } from '../../src/core/errors.js';
import { FixedNames } from '../support/fixed-names.js';

const FLAG: Readonly<Record<ServiceReference['kind'], string>> = { tcp: '-t', udp: '-u', sctp: '--sctp-service', fwmark: '-f' };

type Outcome = { ok: unknown } | { message: string; exitCode: number };

async function outcome(run: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: await run() };
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    return { message: e.message, exitCode: e.exitCode };
  }
}

/** What the 1.31 grammar makes of `-d SERVICE [-6] -r SERVER`. */
const byGrammar = (ref: ServiceReference, server: string): Promise<Outcome> =>
  outcome(async () => {
    const argv = ['-d', FLAG[ref.kind], ref.text, ...(ref.ipv6 ? ['-6'] : []), '-r', server];
    const cmd = await parseCommandLine(argv, { argv0: 'ipvsadm', names: new FixedNames() });
    if (cmd.kind !== 'delete-dest') throw new Error(cmd.kind);
    return { key: cmd.key, server: { addr: cmd.dest.addr, port: cmd.dest.port } };
  });

/** What the typed parser makes of the same. */
const byReference = (ref: ServiceReference, server: string): Promise<Outcome> =>
  outcome(async () => {
    const names = new FixedNames();
    const key = await parseServiceReference(ref, names);
    return { key, server: await parseServerReference(server, key, names) };
  });

const CASES: readonly [ServiceReference, string][] = [
  [{ kind: 'tcp', text: '192.0.2.1:80' }, '198.51.100.1'],
  [{ kind: 'tcp', text: '192.0.2.1:http' }, '198.51.100.1:8080'],
  [{ kind: 'tcp', text: 'vip1.example.org:www' }, 'rs1.example.org:webcache'],
  [{ kind: 'udp', text: '192.0.2.1:domain' }, '198.51.100.1'],
  [{ kind: 'udp', text: '192.0.2.1:53' }, '198.51.100.1:http'],
  [{ kind: 'sctp', text: '[2001:db8::1]:5060' }, '[2001:db8::2]:5061'],
  [{ kind: 'tcp', text: '2001:db8::1' }, '2001:db8::2'],
  [{ kind: 'tcp', text: '192.0.2.1' }, '198.51.100.1'],
  [{ kind: 'fwmark', text: '7' }, '198.51.100.1:http'],
  [{ kind: 'fwmark', text: '4294967295', ipv6: true }, '[2001:db8::2]:80'],
  // refusals: the service first, then -6, then the real server
  [{ kind: 'tcp', text: '192.0.2.1:99999' }, '198.51.100.1'],
  [{ kind: 'tcp', text: '80' }, '198.51.100.1'],
  [{ kind: 'tcp', text: 'no-such-host.invalid:80' }, '198.51.100.1'],
  [{ kind: 'tcp', text: '192.0.2.1:80', ipv6: true }, '198.51.100.1'],
  [{ kind: 'tcp', text: '192.0.2.1:99999', ipv6: true }, '198.51.100.1'],
  [{ kind: 'fwmark', text: '0' }, '198.51.100.1'],
  [{ kind: 'fwmark', text: 'x', ipv6: true }, '198.51.100.1'],
  [{ kind: 'tcp', text: '192.0.2.1:80' }, '198.51.100.1:mdns'],
  [{ kind: 'udp', text: '192.0.2.1:53' }, '198.51.100.1:http'],
  [{ kind: 'tcp', text: '192.0.2.1:80' }, ''],
  [{ kind: 'tcp', text: '192.0.2.1:80' }, '[2001:db8::2]'],
];

describe('a reference reads as the 1.31 grammar reads it', () => {
  it.each(CASES)('%j -r %j', async (ref, server) => {
    expect(await byReference(ref, server)).toEqual(await byGrammar(ref, server));
  });

  it('the cases cover both outcomes and every message of a reference', async () => {
    const all = await Promise.all(CASES.map(([ref, server]) => byReference(ref, server)));
    const messages = new Set(all.flatMap((o) => ('message' in o ? [o.message] : [])));
    expect(all.filter((o) => 'ok' in o).length).toBeGreaterThan(5);
    expect([...messages].sort()).toEqual([
      '-6 used before -f\n',
      'illegal real server address[:port] specified',
      'illegal virtual server address[:port] specified',
      "invalid fwmark value `0' specified",
      "invalid fwmark value `x' specified",
    ]);
  });

  it('the real server of a service without a port, or of a mark, keeps port 0 unless it names one', async () => {
    const names = new FixedNames();
    const mark = await parseServiceReference({ kind: 'fwmark', text: '3' }, names);
    expect(mark).toEqual({ kind: 'fwmark', af: 2, fwmark: 3 });
    expect((await parseServerReference('198.51.100.1', mark, names)).port).toBe(0);
    expect((await parseServerReference('198.51.100.1:https', mark, names)).port).toBe(443);
  });
});

describe('serviceReferences', () => {
  it('gives the services named, in option order, each with -6 when given', () => {
    expect(serviceReferences({})).toEqual([]);
    expect(serviceReferences({ fwmarkService: '1', tcpService: 'a', ipv6: true })).toEqual([
      { kind: 'tcp', text: 'a', ipv6: true },
      { kind: 'fwmark', text: '1', ipv6: true },
    ]);
    expect(serviceReferences({ udpService: 'u', sctpService: 's' })).toEqual([
      { kind: 'udp', text: 'u' },
      { kind: 'sctp', text: 's' },
    ]);
  });
});
