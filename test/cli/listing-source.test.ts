// Where a listing's real servers come from (cli/execute.ts): /proc/net/ip_vs for the layouts
// that show only what the file has (the default one, and --tun-info with the tunnel services
// dumped), one dump per service for every layout that shows counters, thresholds or persistent
// connections, and for JSON.
import { describe, expect, it, vi } from 'vitest';
import { execute } from '../../src/cli/execute.js';
import type { ExecuteContext } from '../../src/cli/execute.js';
import { PLAIN_LISTING } from '../../src/core/command.js';
import type { ListOptions } from '../../src/core/command.js';
import type { IpvsClient } from '../../src/ipvs/client.js';

function context(): { ctx: ExecuteContext; fromProc: ReturnType<typeof vi.fn>; dumped: ReturnType<typeof vi.fn> } {
  const fromProc = vi.fn(async () => []);
  const dumped = vi.fn(async () => []);
  const client = { info: async () => ({ version: 0x10201, connTabSize: 4096 }), tableFromProc: fromProc, table: dumped } as unknown as IpvsClient;
  const ctx: ExecuteContext = { client, names: { nameByAddress: async () => undefined, nameByPort: () => undefined } as never, readServices: async () => new Uint8Array() };
  return { ctx, fromProc, dumped };
}

async function source(options: Partial<ListOptions>, json = false): Promise<{ proc: unknown[][]; dumps: number }> {
  const { ctx, fromProc, dumped } = context();
  await execute({ kind: 'list', options: { ...PLAIN_LISTING, numeric: true, ...options } }, ctx, json ? 'json' : 'text');
  return { proc: fromProc.mock.calls.map((c) => c.slice(1)), dumps: dumped.mock.calls.length };
}

describe('the source of a listing', () => {
  it('the default layout and --tun-info read the file (--tun-info asks for the tunnel details)', async () => {
    expect(await source({})).toEqual({ proc: [[{ tunnelDetails: false }]], dumps: 0 });
    expect(await source({ tunInfo: true })).toEqual({ proc: [[{ tunnelDetails: true }]], dumps: 0 });
  });

  it('counters, thresholds, persistent connections (also with --tun-info) and JSON dump', async () => {
    for (const o of [{ stats: true }, { rate: true }, { thresholds: true }, { persistentConn: true }, { persistentConn: true, tunInfo: true }]) {
      expect(await source(o), JSON.stringify(o)).toEqual({ proc: [], dumps: 1 });
    }
    expect(await source({}, true)).toEqual({ proc: [], dumps: 1 });
  });
});
