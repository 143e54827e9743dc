// `ipvsadm completion` through the command table: the scripts, the usage errors, and the hidden
// `values` over the fake kernel — the table's services and real servers as the command line takes
// them back, nothing (status 0, no message, no modprobe) when IPVS is not there, namespaces.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../src/entry/command-table.js';
import { namespaces } from '../../src/completion/values.js';
import { captureIo, fakeKernelIo } from '../support/capture-io.js';
import { FakeIpvs } from '../support/fake-ipvs.js';

const RULES = [
  '-A -t 192.0.2.1:80 -s wrr',
  '-a -t 192.0.2.1:80 -r 198.51.100.1:8080 -m -w 3',
  '-a -t 192.0.2.1:80 -r 198.51.100.2:8080 -m -w 3',
  '-A -u 192.0.2.1:53 -s rr',
  '-A -t [2001:db8::1]:443 -s mh',
  '-a -t [2001:db8::1]:443 -r [2001:db8::10]:443 -g',
  '-A -f 7 -s sh',
  '',
].join('\n');

async function table(): Promise<FakeIpvs> {
  const ipvs = new FakeIpvs();
  const io = fakeKernelIo({ model: ipvs }, { readStdin: async () => RULES });
  expect(await dispatch(['-R'], io)).toBe(0);
  return ipvs;
}

async function values(args: string[], ipvs?: FakeIpvs) {
  let modprobes = 0;
  const io = fakeKernelIo(ipvs ? { model: ipvs } : { families: {} }, { loadModule: async () => void modprobes++ });
  const code = await dispatch(['completion', 'values', ...args], io);
  return { stdout: io.out(), stderr: io.err(), code, modprobes };
}

describe('ipvsadm completion values', () => {
  it.each([
    [['services'], '192.0.2.1:80\n192.0.2.1:53\n[2001:db8::1]:443\n7\n'],
    [['services', '--tcp-service'], '192.0.2.1:80\n[2001:db8::1]:443\n'],
    [['services', '--udp-service'], '192.0.2.1:53\n'],
    [['services', '--sctp-service'], ''],
    [['services', '--fwmark-service'], '7\n'],
    [['dests', '--tcp-service', '192.0.2.1:80'], '198.51.100.1:8080\n198.51.100.2:8080\n'],
    [['dests', '--tcp-service', '[2001:db8::1]:443'], '[2001:db8::10]:443\n'],
    [['dests', '--tcp-service', '192.0.2.9:80'], ''],
    [['dests', '--tcp-service', 'not an address'], ''],
  ])('%j over a table prints %j', async (args, out) => {
    const r = await values(args, await table());
    expect(r).toEqual({ stdout: out, stderr: '', code: 0, modprobes: 0 });
  });

  it('prints nothing, says nothing, exits 0 and loads no module when IPVS is not there', async () => {
    for (const args of [['services'], ['dests', '--tcp-service', '192.0.2.1:80']]) {
      expect(await values(args)).toEqual({ stdout: '', stderr: '', code: 0, modprobes: 0 });
    }
  });

  it('a request it does not know is a usage error (2)', async () => {
    const r = await values(['servers']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ipvsadm completion: values: expected netns, services/);
  });

  it('netns: the names under the directory, sorted; none when it is not there', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netns-'));
    try {
      for (const n of ['red', 'blue']) writeFileSync(join(dir, n), '');
      expect(namespaces(dir)).toEqual(['blue', 'red']);
      expect(namespaces(join(dir, 'absent'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe('ipvsadm completion SHELL', () => {
  it.each([
    ['bash', /^complete -F _ipvsadm ipvsadm ipvsadm-save ipvsadm-restore$/m],
    ['zsh', /^#compdef ipvsadm ipvsadm-save ipvsadm-restore\n/],
    ['fish', /^complete -c ipvsadm -f -a '\(__ipvsadm_complete_fish\)'\ncomplete -c ipvsadm-save .*\ncomplete -c ipvsadm-restore /m],
  ])('%s: the script, on stdout', async (shell, marker) => {
    const io = captureIo();
    expect(await dispatch(['completion', shell], io)).toBe(0);
    expect(io.out()).toMatch(marker);
    expect(io.err()).toBe('');
  });

  it.each([[['tcsh'], /value 'tcsh' is invalid for argument 'shell'/], [[], /missing required argument 'shell'/], [['bash', 'zsh'], /too many arguments/]])(
    '%j: usage error, status 2',
    async (args, message) => {
      const io = captureIo();
      expect(await dispatch(['completion', ...args], io)).toBe(2);
      expect(io.err()).toMatch(message);
      expect(io.out()).toBe('');
    },
  );
});
