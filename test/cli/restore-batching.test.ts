// Restore's batching against line-by-line application (each change sent alone, as ipvsadm
// does): random inputs full of failing lines (duplicates, missing services and destinations,
// option errors) give the same stdout, stderr, exit status and final table either way, with
// failures at every position of a window.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IpvsClient } from '../../src/ipvs/client.js';
import { restore } from '../../src/cli/restore.js';
import { FakeIpvs } from '../support/fake-ipvs.js';
import { FakeKernel } from '../support/fake-kernel.js';
import { FixedNames } from '../support/fixed-names.js';
import { fuzzParameters } from '../support/fuzz.js';
import { reliabilityCases } from '../support/reliability.js';

interface Run {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
  readonly table: string[];
}

async function run(input: string, maxQueued: number | undefined): Promise<Run> {
  const ipvs = new FakeIpvs();
  const client = await IpvsClient.open(async () => new FakeKernel({ model: ipvs }));
  let stdout = '';
  let stderr = '';
  try {
    const code = await restore(input, {
      client,
      names: new FixedNames(),
      argv0: 'ipvsadm',
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      ...(maxQueued === undefined ? {} : { maxQueued }),
    });
    const table = [...ipvs.services.values()]
      .map((s) => `${s.addr.subarray(0, 4).join('.')}:${s.port} ${s.sched} ${[...s.dests.values()].map((d) => `${d.addr.subarray(0, 4).join('.')}/${d.fwd}/${d.weight}`).sort().join(',')}`)
      .sort();
    return { stdout, stderr, code, table };
  } finally {
    client.close();
  }
}

const vip = fc.integer({ min: 1, max: 3 }).map((i) => `192.0.2.${i}:80`);
const rip = fc.integer({ min: 1, max: 3 }).map((i) => `198.51.100.${i}`);
const line = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(vip, fc.constantFrom('rr', 'wrr', 'lc')).map(([v, s]) => `-A -t ${v} -s ${s}`) },
  { weight: 2, arbitrary: fc.tuple(vip, fc.constantFrom('sh', 'wlc')).map(([v, s]) => `-E -t ${v} -s ${s}`) },
  { weight: 2, arbitrary: vip.map((v) => `-D -t ${v}`) },
  { weight: 5, arbitrary: fc.tuple(vip, rip, fc.constantFrom('-m', '-g', '-i'), fc.integer({ min: 0, max: 9 })).map(([v, r, m, w]) => `-a -t ${v} -r ${r} ${m} -w ${w}`) },
  { weight: 2, arbitrary: fc.tuple(vip, rip, fc.integer({ min: 0, max: 9 })).map(([v, r, w]) => `-e -t ${v} -r ${r} -w ${w}`) },
  { weight: 2, arbitrary: fc.tuple(vip, rip).map(([v, r]) => `-d -t ${v} -r ${r}`) },
  { weight: 1, arbitrary: vip.map((v) => `-A -t ${v} --bogus`) },
  { weight: 1, arbitrary: fc.constant('-Z') },
);

describe('restore: batched and line by line agree', () => {
  it('random inputs with failing lines anywhere in a window: same output, status and table', async () => {
    const cases = reliabilityCases({ area: 'fuzz', item: 'restore inputs batched vs line by line' });
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 150 }), fc.constantFrom(3, 64, 1000), async (lines, window) => {
        const input = `${lines.join('\n')}\n`;
        const single = await run(input, 1);
        expect(await run(input, window)).toEqual(single);
        expect(await run(input, undefined)).toEqual(single);
      }),
      cases.fuzz(fuzzParameters(150)),
    );
  });

  it('a failure in the middle of a window is reported in its place, between the lines around it', async () => {
    const adds = Array.from({ length: 200 }, (_, i) => `-A -t 10.0.${i >> 8}.${i & 255}:80 -s rr`);
    const lines = [...adds.slice(0, 30), adds[5]!, '-a -t 192.0.2.9:80 -r 198.51.100.1', ...adds.slice(30, 100), '-A -t 10.0.0.1:80 --bogus', ...adds.slice(100), adds[7]!];
    const single = await run(`${lines.join('\n')}\n`, 1);
    expect(single.stderr).toBe('Service already exists\nService not defined\n--bogus: unknown option\nService already exists\n');
    expect(single.code).toBe(255);
    expect(single.table).toHaveLength(200);
    expect(await run(`${lines.join('\n')}\n`, undefined)).toEqual(single);
  });
});
