// `--json` over the fake kernel: every list mode prints one document that validates against the
// shipped schema (ajv), with every attribute of a varied table; counters exact; names only
// without -n; a command that is not a listing refuses --json with status 2.
import { describe, expect, it } from 'vitest';
import type { Command } from '../../../src/core/command.js';
import { execute, executeText } from '../../../src/cli/execute.js';
import type { ExecuteContext } from '../../../src/cli/execute.js';
import { counter } from '../../../src/table/json.js';
import { parseCommandLine } from '../../../src/core/parse.js';
import { UsageError } from '../../../src/core/errors.js';
import { IpvsClient } from '../../../src/ipvs/client.js';
import { FakeIpvs } from '../../support/fake-ipvs.js';
import { FakeKernel } from '../../support/fake-kernel.js';
import { FixedNames } from '../../support/fixed-names.js';
import { validJson } from '../../support/json-schema.js';


const names = new FixedNames();
const parse = (line: string): Promise<Command> => parseCommandLine(line.split(' ').filter(Boolean), { argv0: 'ipvsadm', names });

const TABLE = [
  '-A -t 192.0.2.1:80 -s wlc',
  '-a -t 192.0.2.1:80 -r 198.51.100.1:8080 -m -w 3 -x 100 -y 10',
  '-a -t 192.0.2.1:80 -r 198.51.100.2 -g',
  '-A -u 192.0.2.2:53 -s sh -b sh-fallback,sh-port -p 600 -M 255.255.255.0 -o',
  '-a -u 192.0.2.2:53 -r 198.51.100.3 -i --tun-type gue --tun-port 6080 --tun-csum',
  '-A --sctp-service 192.0.2.3:3868 -s rr',
  '-a --sctp-service 192.0.2.3:3868 -r 198.51.100.4 -i --tun-type gre --tun-nocsum',
  '-A -t [2001:db8::1]:443 -s mh -p 60 -M 64 --pe sip',
  '-a -t [2001:db8::1]:443 -r [2001:db8::2]:443 -i',
  '-A -f 7 -s lc',
  '-a -f 7 -r 198.51.100.5 -m',
  '-A -f 7 -6 -s rr',
];

async function seeded(readConnections?: () => Promise<string>): Promise<ExecuteContext> {
  const ipvs = new FakeIpvs();
  const client = await IpvsClient.open(async () => new FakeKernel({ model: ipvs }));
  const ctx: ExecuteContext = { client, names, ...(readConnections ? { readConnections } : {}) };
  for (const line of TABLE) await execute(await parse(line), ctx);
  return ctx;
}

async function json(ctx: ExecuteContext, line: string): Promise<Record<string, unknown>> {
  return validJson(await executeText(await parse(line), ctx));
}

type Svc = Record<string, unknown> & { destinations: Record<string, unknown>[] };

describe('-L --json', () => {
  const MODES = ['', '--stats', '--rate', '--thresholds', '--persistent-conn', '--tun-info', '--exact', '--stats --exact', '--nosort'];

  it.each(MODES)('-Ln %s --json: one valid document with every service, the same in every mode', async (mode) => {
    const ctx = await seeded();
    const doc = await json(ctx, `-L -n ${mode} --json`);
    const plain = await json(ctx, '-L -n --json');
    expect(doc).toEqual(mode === '--nosort' ? doc : plain);
    expect(doc['kind']).toBe('table');
    expect((doc['services'] as Svc[]).length).toBe(6);
  });

  it('carries every attribute: protocols, families, marks, flags, persistence, pe, methods, tunnels, thresholds', async () => {
    const doc = await json(await seeded(), '-L -n --json');
    const services = doc['services'] as Svc[];
    const by = (id: string): Svc => services.find((s) => `${s['protocol'] ?? 'fwmark'} ${s['address'] ?? s['fwmark']} ${s['family']}` === id)!;
    expect(doc['ipvs']).toEqual({ version: expect.stringMatching(/^\d+\.\d+\.\d+$/), connectionTableSize: expect.any(Number) });
    const tcp = by('tcp 192.0.2.1 inet');
    expect(tcp).toMatchObject({ port: 80, scheduler: 'wlc', schedulerFlags: [], persistence: null, onePacket: false, pe: null });
    expect(tcp.destinations.map((d) => [d['address'], d['port'], d['forwarding'], d['weight'], d['upperThreshold'], d['lowerThreshold'], d['tunnel']])).toEqual([
      ['198.51.100.1', 8080, 'masq', 3, 100, 10, null],
      ['198.51.100.2', 80, 'route', 1, 0, 0, null],
    ]);
    const udp = by('udp 192.0.2.2 inet');
    expect(udp).toMatchObject({ onePacket: true, scheduler: 'sh', schedulerFlags: ['sh-fallback', 'sh-port'], persistence: { timeout: 600, netmask: '255.255.255.0' } });
    expect(udp.destinations[0]!['tunnel']).toEqual({ type: 'gue', port: 6080, checksum: 'csum' });
    const sctp = by('sctp 192.0.2.3 inet');
    expect(sctp).toMatchObject({ onePacket: false, scheduler: 'rr' });
    expect(sctp.destinations[0]!['tunnel']).toEqual({ type: 'gre', checksum: 'nocsum' });
    const v6 = by('tcp 2001:db8::1 inet6');
    expect(v6).toMatchObject({ port: 443, scheduler: 'mh', persistence: { timeout: 60, netmask: 64 }, pe: 'sip' });
    expect(v6.destinations[0]).toMatchObject({ address: '2001:db8::2', family: 'inet6', forwarding: 'tunnel', tunnel: { type: 'ipip' } });
    expect(by('fwmark 7 inet').destinations[0]).toMatchObject({ address: '198.51.100.5', port: 0, forwarding: 'masq' });
    expect(by('fwmark 7 inet6')).toMatchObject({ fwmark: 7, scheduler: 'rr', destinations: [] });
  });

  it('orders services and destinations as the text listing does, or as the kernel does with --nosort', async () => {
    const ctx = await seeded();
    const order = (doc: Record<string, unknown>): string[] => (doc['services'] as Svc[]).map((s) => String(s['address'] ?? `fwmark ${s['fwmark']} ${s['family']}`));
    const text = await executeText(await parse('-L -n'), ctx);
    const textOrder = text.split('\n').filter((l) => /^(TCP|UDP|SCTP|FWM)/.test(l));
    expect(order(await json(ctx, '-L -n --json'))).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3', '2001:db8::1', 'fwmark 7 inet', 'fwmark 7 inet6']);
    expect(textOrder.map((l) => l.split(/\s+/)[1])).toEqual(['192.0.2.1:80', '192.0.2.2:53', '192.0.2.3:3868', '[2001:db8::1]:443', '7', '7']);
  });

  it('one service (-L -t VIP:PORT --json) has no ipvs header', async () => {
    const doc = await json(await seeded(), '-L -n -t 192.0.2.1:80 --json');
    expect(doc['ipvs']).toBeUndefined();
    expect((doc['services'] as Svc[]).map((s) => s['address'])).toEqual(['192.0.2.1']);
  });

  it('without -n, adds the names found beside the numbers', async () => {
    const doc = await json(await seeded(), '-L --json');
    const tcp = (doc['services'] as Svc[]).find((s) => s['address'] === '192.0.2.1')!;
    expect(tcp['address']).toBe('192.0.2.1');
    expect(tcp['portName']).toBe('http');
  });
});

describe('other list modes', () => {
  it('--timeout, --daemon and -c give their documents', async () => {
    const conn =
      'Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n' +
      'TCP C0000264 9C40 C0000201 0050 C6336401 1F90 ESTABLISHED     899\n';
    const ctx = await seeded(async () => conn);
    expect((await json(ctx, '-L --timeout --json'))['timeouts']).toEqual({ tcp: expect.any(Number), tcpFin: expect.any(Number), udp: expect.any(Number) });
    expect((await json(ctx, '-L --daemon --json'))['daemons']).toEqual([]);
    await execute(await parse('--start-daemon master --mcast-interface eth0 --syncid 5'), ctx);
    expect((await json(ctx, '-L --daemon --json'))['daemons']).toMatchObject([{ state: 'master', interface: 'eth0', syncId: 5 }]);
    expect((await json(ctx, '-L -n -c --json'))['connections']).toEqual([
      {
        protocol: 'tcp',
        client: { address: '192.0.2.100', port: 40000 },
        virtual: { address: '192.0.2.1', port: 80 },
        destination: { address: '198.51.100.1', port: 8080 },
        state: 'ESTABLISHED',
        expires: 899,
      },
    ]);
  });
});

describe('--json elsewhere', () => {
  it.each(['-A -t 192.0.2.9:80 --json', '-a -t 192.0.2.1:80 -r 198.51.100.9 --json', '-C --json', '-Z --json', '-R --json', '--set 1 2 3 --json'])(
    '%s: refused with status 2, nothing changed',
    async (line) => {
      const error = await parse(line).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).exitCode).toBe(2);
      expect((error as UsageError).message).toBe('--json applies to the list and save commands only (-L, -l, --list with any of its modes; -S, --save)');
    },
  );
});

describe('counter', () => {
  it('is a number up to 2^53 - 1 and exact decimal text above', () => {
    expect(counter(0n)).toBe(0);
    expect(counter(2n ** 53n - 1n)).toBe(Number.MAX_SAFE_INTEGER);
    expect(counter(2n ** 53n)).toBe('9007199254740992');
    expect(counter(2n ** 64n - 1n)).toBe('18446744073709551615');
  });
});
