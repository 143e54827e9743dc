// render.ts: one Result, printed in the format the command line chose — 1.31's text or one JSON
// document of the shipped schema — and outputFormat's reading of --json.
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/core/parse.js';
import { formatListing } from '../../src/cli/format/list.js';
import { outputFormat, renderText } from '../../src/cli/render.js';
import type { Result } from '../../src/cli/result.js';
import { dest, entry, NUMERIC, svc } from '../support/format-fixtures.js';
import { FixedNames } from '../support/fixed-names.js';
import { validJson } from '../support/json-schema.js';
import { noNames } from '../support/names-table.js';

const LISTING = {
  kind: 'listing',
  listing: { info: { version: 0x10201, connTabSize: 4096 }, services: [entry(svc(6, '192.0.2.1', 80, { scheduler: 'rr' }), dest('198.51.100.1', 80, { forwarding: 'masq', weight: 3 }))] },
  options: NUMERIC,
  names: noNames,
} satisfies Result;

describe('render', () => {
  it('prints a listing as 1.31 does, or as a "table" document with the same values', async () => {
    // the text renderer is the listing formatter pinned by the spec's golden texts (format/list.test.ts)
    expect(await renderText(LISTING, 'text')).toBe(formatListing(LISTING.listing, LISTING.options, LISTING.names));
    expect(await renderText(LISTING, 'text')).toMatch(/^IP Virtual Server version 1\.2\.1 \(size=4096\)\n/);
    const doc = validJson(await renderText(LISTING, 'json'));
    expect(doc).toMatchObject({ kind: 'table', ipvs: { version: '1.2.1', connectionTableSize: 4096 } });
    expect(doc['services']).toMatchObject([{ protocol: 'tcp', address: '192.0.2.1', port: 80, scheduler: 'rr', destinations: [{ address: '198.51.100.1', forwarding: 'masq', weight: 3 }] }]);
  });

  it('prints timeouts and daemons both ways; a change prints nothing', async () => {
    const timeouts: Result = { kind: 'timeouts', timeouts: { tcp: 900, tcpFin: 120, udp: 300 } };
    expect(await renderText(timeouts, 'text')).toBe('Timeout (tcp tcpfin udp): 900 120 300\n');
    expect(validJson(await renderText(timeouts, 'json'))['timeouts']).toEqual({ tcp: 900, tcpFin: 120, udp: 300 });
    const daemons: Result = { kind: 'daemons', daemons: [{ state: 'backup', mcastIfn: 'eth0', syncId: 2 }] };
    expect(validJson(await renderText(daemons, 'json'))['daemons']).toEqual([{ state: 'backup', interface: 'eth0', syncId: 2 }]);
    expect(await renderText({ kind: 'done' }, 'text')).toBe('');
  });
});

describe('outputFormat', () => {
  const parse = (line: string) => parseCommandLine(line.split(' '), { argv0: 'ipvsadm', names: new FixedNames() });
  it.each([
    ['-Ln', 'text'],
    ['-Ln --json', 'json'],
    ['-L --timeout --json', 'json'],
    ['-S', 'text'],
    ['-S --json', 'json'],
    ['-A -t 192.0.2.1:80', 'text'],
  ])('%s → %s', async (line, format) => {
    expect(outputFormat(await parse(line))).toBe(format);
  });
});
