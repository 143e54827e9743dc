// core/load-rules.ts over the fake kernel: a -S table (text or JSON save) loaded through the
// grammar and the IPVS client ends as the same table `ipvsadm -R` makes of it; a line that is not
// a change, a line the grammar refuses, and a change the kernel refuses are each named by place.
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../src/entry/command-table.js';
import { loadRules } from '../../src/core/load-rules.js';
import { IpvsClient } from '../../src/ipvs/client.js';
import { runOverFakeKernel } from '../support/capture-io.js';
import type { Run } from '../support/capture-io.js';
import { FakeIpvs } from '../support/fake-ipvs.js';
import { FakeKernel } from '../support/fake-kernel.js';
import { FixedNames } from '../support/fixed-names.js';

const RULES = ['-A -t 192.0.2.1:80 -s wrr', '-a -t 192.0.2.1:80 -r 198.51.100.1:80 -m -w 2', '-A -f 7 -s rr', '-a -f 7 -r 198.51.100.2 -g', '--set 10 20 30', ''].join('\n');

const ipvsadm = (ipvs: FakeIpvs, argv: string[], stdin = ''): Promise<Run> => runOverFakeKernel({ model: ipvs }, (io) => dispatch(argv, io), stdin);

/** Loads `text` into `ipvs` through core; the problem's text, or undefined. */
async function load(ipvs: FakeIpvs, text: string): Promise<string | undefined> {
  const client = await IpvsClient.open(async () => new FakeKernel({ model: ipvs }));
  try {
    return await loadRules(text, client, new FixedNames());
  } finally {
    client.close();
  }
}

describe('loadRules', () => {
  it('makes the table -R makes, from -S text and from a JSON save', async () => {
    const restored = new FakeIpvs();
    expect((await ipvsadm(restored, ['-R'], RULES)).code).toBe(0);
    const expected = await ipvsadm(restored, ['-Sn']);
    const fromText = new FakeIpvs();
    expect(await load(fromText, `# a comment\n${RULES}`)).toBeUndefined();
    expect(await ipvsadm(fromText, ['-Sn'])).toEqual(expected);
    expect(fromText.timeouts).toEqual({ tcp: 10, tcpFin: 20, udp: 30 });
    const fromJson = new FakeIpvs();
    expect(await load(fromJson, (await ipvsadm(restored, ['-S', '--json'])).stdout)).toBeUndefined();
    expect(await ipvsadm(fromJson, ['-Sn'])).toEqual(expected);
  });

  it('names the line the grammar refuses, and a line that changes nothing, and changes nothing', async () => {
    const ipvs = new FakeIpvs();
    expect(await load(ipvs, '-A -t 192.0.2.1:80\n-a -t 192.0.2.1:80 -r 198.51.100.1 -w -1\n')).toBe('line 2: illegal weight specified');
    expect(await load(ipvs, '-A -t 192.0.2.1:80\n-L -n\n')).toBe('line 2: -L changes nothing');
    expect(await load(ipvs, '-A -t 192.0.2.1:80\n-L --daemon\n')).toBe('line 2: -L --daemon changes nothing');
    expect(ipvs.services.size).toBe(0);
  });

  it('names the change the kernel refuses, with its message', async () => {
    const ipvs = new FakeIpvs();
    expect(await load(ipvs, '-A -t 192.0.2.1:80\n-A -t 192.0.2.1:80\n')).toBe('line 2: Service already exists');
    expect(await load(new FakeIpvs(), '{"services": 3}')).toMatch(/^format: must be "ipvsadm-ts"/);
  });
});
