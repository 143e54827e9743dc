// Explanations after a refusal: with Io.explain, one line after ipvsadm's own naming the likely
// cause; without it (scripts, 1.31's text), nothing more. Over the fake kernel.
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { explain } from '../../src/cli/explain.js';
import type { ExplainProbes } from '../../src/cli/explain.js';
import { main } from '../../src/cli/main.js';
import { parseCommandLine } from '../../src/core/parse.js';
import { IpvsOperationError } from '../../src/ipvs/errors.js';
import type { IpvsOperation } from '../../src/ipvs/errors.js';
import { dest, entry, svc } from '../support/format-fixtures.js';
import { FixedNames } from '../support/fixed-names.js';
import { fakeKernelIo } from '../support/capture-io.js';
import { FakeIpvs } from '../support/fake-ipvs.js';

async function run(ipvs: FakeIpvs, line: string, explain: boolean, missing: readonly string[] = []): Promise<{ stderr: string; code: number }> {
  const io = fakeKernelIo({ model: ipvs }, { explain, moduleState: async (name: string) => (missing.includes(name) ? 'missing' : 'loadable') });
  const code = await main(line.split(' '), io);
  return { stderr: io.err(), code };
}

describe('explanations', () => {
  it('a scheduler the kernel lacks', async () => {
    const ipvs = new FakeIpvs();
    ipvs.schedulers.delete('mh');
    expect(await run(ipvs, '-A -t 192.0.2.1:80 -s mh', false, ['ip_vs_mh'])).toEqual({ stderr: 'Scheduler or persistence engine not found\n', code: 255 });
    expect(await run(ipvs, '-A -t 192.0.2.1:80 -s mh', true, ['ip_vs_mh'])).toEqual({
      stderr: 'Scheduler or persistence engine not found\nipvsadm: likely cause: scheduler mh is not available: this kernel has no module ip_vs_mh\n',
      code: 255,
    });
  });

  it('a persistence engine the kernel lacks; nothing more when both are there', async () => {
    const ipvs = new FakeIpvs();
    ipvs.pes.clear();
    expect((await run(ipvs, '-A -u 192.0.2.1:5060 -p --pe sip', true, ['ip_vs_pe_sip'])).stderr).toBe(
      'Scheduler or persistence engine not found\nipvsadm: likely cause: persistence engine sip is not available: this kernel has no module ip_vs_pe_sip\n',
    );
    expect((await run(ipvs, '-A -u 192.0.2.1:5060 -p --pe sip', true)).stderr).toBe('Scheduler or persistence engine not found\n');
  });

  it('a real server that is not unicast; nothing for a refusal it cannot explain', async () => {
    const ipvs = new FakeIpvs();
    expect(await run(ipvs, '-A -t 192.0.2.1:80', true)).toEqual({ stderr: '', code: 0 });
    expect((await run(ipvs, '-a -t 192.0.2.1:80 -r 224.0.0.1 -m', true)).stderr).toBe(
      'Invalid operation.  Possibly wrong module version, address not unicast, ...\nipvsadm: likely cause: real server 224.0.0.1 is not a unicast address\n',
    );
    // no more to say for a refusal it cannot explain
    expect((await run(ipvs, '-a -t 192.0.2.1:80 -r 198.51.100.1 -m', true)).stderr).toBe('');
    expect((await run(ipvs, '-a -t 192.0.2.1:80 -r 198.51.100.1 -m', true)).stderr).toBe('Destination already exists\n');
  });

  it('thresholds the wrong way round: the lower one above the upper, or above none', async () => {
    const ipvs = new FakeIpvs();
    expect(await run(ipvs, '-A -t 192.0.2.1:80', true)).toEqual({ stderr: '', code: 0 });
    expect(await run(ipvs, '-a -t 192.0.2.1:80 -r 198.51.100.1 -m -x 5 -y 10', false)).toEqual({ stderr: 'Numerical result out of range\n', code: 255 });
    expect((await run(ipvs, '-a -t 192.0.2.1:80 -r 198.51.100.1 -m -x 5 -y 10', true)).stderr).toBe(
      'Numerical result out of range\nipvsadm: likely cause: the lower threshold -y 10 is above the upper threshold -x 5; give -x 10 or more\n',
    );
    expect((await run(ipvs, '-a -t 192.0.2.1:80 -r 198.51.100.1 -m -y 10', true)).stderr).toBe(
      'Numerical result out of range\nipvsadm: likely cause: the lower threshold -y 10 is above the upper threshold (none given: -x 0 means no upper threshold); give -x 10 or more\n',
    );
    expect(await run(ipvs, '-a -t 192.0.2.1:80 -r 198.51.100.1 -m -x 20 -y 10', true)).toEqual({ stderr: '', code: 0 });
    expect((await run(ipvs, '-e -t 192.0.2.1:80 -r 198.51.100.1 -m -y 15', true)).stderr).toBe(
      'Numerical result out of range\nipvsadm: likely cause: the lower threshold -y 15 is above the upper threshold (none given: -x 0 means no upper threshold); give -x 15 or more (-e sets both again: repeat -x)\n',
    );
  });

  describe('causes that take a look at the kernel', () => {
    const E = constants.errno;
    const loaded: ExplainProbes['moduleState'] = async () => 'loaded';
    const why = async (line: string, op: IpvsOperation, errno: number, probes: Partial<ExplainProbes> = {}) =>
      explain(await parseCommandLine(line.split(' '), { argv0: 'ipvsadm', names: new FixedNames() }), new IpvsOperationError(op, errno), { moduleState: loaded, ...probes });
    const mixedTable = { services: [entry(svc(6, '192.0.2.9', 80), dest('2001:db8::5', 80, { forwarding: 'tunnel' }), dest('198.51.100.1', 80))], daemons: [] };
    const daemon = { state: 'master' as const, mcastIfn: 'lo', syncId: 0 };

    it('an IPv6 link-local real server', async () => {
      expect(await why('-a -t [2001:db8::1]:80 -r [fe80::1]:80 -m', 'add-dest', E.EINVAL)).toBe('real server fe80::1 is a link-local address: IPVS takes IPv6 real servers by global address only');
    });

    it('the broadcast address of a network of this host, as the kernel types it', async () => {
      const addressType = async () => 'broadcast';
      expect(await why('-a -t 192.0.2.9:80 -r 203.0.113.255 -m', 'add-dest', E.EINVAL, { addressType })).toBe('real server 203.0.113.255 is a broadcast address of a network on this host');
      expect(await why('-a -t 192.0.2.9:80 -r 203.0.113.255 -m', 'add-dest', E.EINVAL, { addressType: async () => 'unicast' })).toBeUndefined();
      expect(await why('-a -t 192.0.2.9:80 -r 203.0.113.255 -m', 'add-dest', E.EINVAL)).toBeUndefined();
    });

    it('a real server of the other family while a sync daemon runs', async () => {
      const line = '-a -t 192.0.2.9:80 -r [2001:db8::5]:80 -i';
      expect(await why(line, 'add-dest', E.EINVAL, { table: async () => ({ services: [], daemons: [daemon] }) })).toMatch(/^a sync daemon is running, and the kernel refuses real servers of the other address family/);
      expect(await why(line, 'add-dest', E.EINVAL, { table: async () => ({ services: [], daemons: [] }) })).toBeUndefined();
      expect(await why(line, 'add-dest', E.EINVAL, { table: async () => undefined })).toBeUndefined();
    });

    it('a sync daemon while real servers of the other family exist: they are named', async () => {
      expect(await why('--start-daemon master --mcast-interface lo', 'start-daemon', E.EINVAL, { table: async () => mixedTable })).toBe(
        'the kernel starts no sync daemon while real servers of the other address family than their service exist (2001:db8::5 of tcp 192.0.2.9:80): their connections cannot be synced',
      );
      const many = { services: [entry(svc(6, '192.0.2.9', 80), ...['2001:db8::1', '2001:db8::2', '2001:db8::3', '2001:db8::4', '2001:db8::5'].map((a) => dest(a, 80, { forwarding: 'tunnel' })))], daemons: [] };
      expect(await why('--start-daemon backup --mcast-interface lo', 'start-daemon', E.EINVAL, { table: async () => many })).toContain('(2001:db8::1 of tcp 192.0.2.9:80, 2001:db8::2 of tcp 192.0.2.9:80, 2001:db8::3 of tcp 192.0.2.9:80 and 2 more)');
      expect(await why('--start-daemon master --mcast-interface lo', 'start-daemon', E.EINVAL, { table: async () => ({ services: [], daemons: [] }) })).toBeUndefined();
    });
  });
});
