// ipvsadm-metrics.8 against the code: its options are --help's, its exit statuses METRICS_EXIT's,
// and every metric family the exposition writes is named on the page. groff -ww: man-pages.test.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ASSETS } from '../../src/metrics/assets.js';
import { runMetricsCli } from '../../src/metrics/cli.js';
import { COLLECTABLE, DEFAULT_COLLECT, exposition } from '../../src/metrics/exposition.js';
import { METRICS_EXIT } from '../../src/app/exit-status.js';
import { CLIENT_AUTH_TYPES, WEB_CONFIG_HEADERS, WEB_CONFIG_KEYS } from '../../src/metrics/web-config.js';
import { captureIo } from '../support/capture-io.js';
import { dest, entry, svc } from '../support/format-fixtures.js';
import { helpOptions, itemTags, roffText, ROOT } from './roff.js';

const PAGE = readFileSync(new URL('man/ipvsadm-metrics.8', ROOT), 'utf8');
const TEXT = PAGE.split('\n').map(roffText).join(' ');

const tags = (sh: string): string[] => itemTags('ipvsadm-metrics.8', sh);

describe('ipvsadm-metrics.8', () => {
  it('documents the options --help lists', async () => {
    const io = captureIo();
    expect(await runMetricsCli(['--help'], io)).toBe(0);
    const listed = helpOptions(io.out());
    expect(listed.sort()).toEqual(['--collect', '--help', '--listen', '--print-dashboard', '--print-rules', '--web.config.file', '-h']);
    for (const option of listed) expect(tags('OPTIONS').join(' ')).toContain(option);
  });

  it('lists exactly the exit statuses of METRICS_EXIT', () => {
    expect(tags('EXIT STATUS').map(Number)).toEqual([...new Set(Object.values(METRICS_EXIT))].sort((a, b) => a - b));
  });

  it('names every metric family the exposition writes (every family collected)', () => {
    const text = exposition(
      { info: { version: 0x10201, connTabSize: 4096 }, timeouts: { tcp: 1, tcpFin: 1, udp: 1 }, daemons: [{ state: 'master', mcastIfn: 'eth0', syncId: 1 }], services: [entry(svc(6, '192.0.2.1', 80), dest('198.51.100.1', 80))] },
      { conns: 0n, inpkts: 0n, outpkts: 0n, inbytes: 0n, outbytes: 0n, cps: 0n, inpps: 0n, outpps: 0n, inbps: 0n, outbps: 0n },
      [],
      new Set(COLLECTABLE),
    );
    const families = text.split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]!);
    for (const f of families) {
      const named = TEXT.includes(f) || (f.startsWith('ipvs_destination_') && /(connections_total|packets_total|bytes_total|_per_second)$/.test(f) && TEXT.includes('ipvs_destination_*'));
      expect(named, f).toBe(true);
    }
  });
});

describe('ipvsadm-metrics.8 on the shipped rules', () => {
  it('lists every alert of --print-rules with its severity, and every recording rule', () => {
    const rules = parse(readFileSync(ASSETS.rules, 'utf8')) as { groups: { rules: { alert?: string; record?: string; labels?: { severity?: string } }[] }[] };
    const all = rules.groups.flatMap((g) => g.rules);
    const listed = tags('ALERTS');
    expect(listed).toEqual(all.filter((r) => r.alert).map((r) => `${r.alert} (${r.labels?.severity})`));
    for (const r of all.filter((r) => r.record)) expect(TEXT, r.record).toContain(r.record);
  });
});

describe('ipvsadm-metrics.8 on --collect', () => {
  it('names every family --collect takes, and the default', () => {
    for (const name of COLLECTABLE) expect(tags('OPTIONS').join(' ') + TEXT, name).toContain(name);
    expect(TEXT).toContain(`default ${[...DEFAULT_COLLECT].join(',')}`);
  });
});

describe('ipvsadm-metrics.8 on --web.config.file', () => {
  it('names every key the web configuration takes, every header and client_auth_type', () => {
    const section = PAGE.split('.SH "WEB CONFIGURATION"')[1]!.split('.SH ')[0]!.split('\n').map(roffText).join(' ');
    const names = [...Object.entries(WEB_CONFIG_KEYS).flatMap(([part, keys]) => [part, ...keys]), ...WEB_CONFIG_HEADERS, ...CLIENT_AUTH_TYPES];
    expect(names.length).toBeGreaterThan(25);
    for (const name of names) expect(section, name).toMatch(new RegExp(`(^|[\\s(,])${name.replace(/[-.]/g, '\\$&')}([\\s),.;:]|$)`));
  });
});
