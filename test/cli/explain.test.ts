// Explanations after a refusal: with Io.explain, one line after ipvsadm's own naming the likely
// cause; without it (scripts, 1.31's text), nothing more. Over the fake kernel.
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
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
});
