// ipvsadm-boot.8 against the code and the units: every option src/apply/boot.ts declares (but the
// hidden --lock-dir) has an item and a SYNOPSIS place and is what --help lists; the exit statuses are
// APPLY_EXIT's; ENVIRONMENT names the variables boot.ts reads; UNITS quotes the units' commands and
// names both units. groff -ww: man-pages.test.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runBootCli } from '../../src/apply/boot.js';
import { APPLY_EXIT } from '../../src/app/exit-status.js';
import { captureIo } from '../support/capture-io.js';
import { declaredOptions, helpOptions, itemTags, renderedSection, ROOT, wordRe } from './roff.js';

const PAGE = 'ipvsadm-boot.8';
const OPTIONS = declaredOptions('src/apply/boot.ts').filter((o) => o !== '--lock-dir');
const section = (name: string): string => renderedSection(PAGE, name);
const unit = (name: string): string => readFileSync(new URL(`src/systemd/${name}`, ROOT), 'utf8');

describe('ipvsadm-boot.8', () => {
  it('documents every option --help lists, and --help lists every declared one but --lock-dir', async () => {
    expect(declaredOptions('src/apply/boot.ts')).toContain('--lock-dir');
    const io = captureIo();
    expect(await runBootCli(['--help'], io)).toBe(0);
    expect(helpOptions(io.out()).sort()).toEqual([...OPTIONS].sort());
    for (const option of OPTIONS) {
      expect(itemTags(PAGE, 'OPTIONS').some((t) => wordRe(option).test(t)), option).toBe(true);
      expect(section('SYNOPSIS'), option).toMatch(wordRe(option));
    }
  });

  it('lists exactly the exit statuses of APPLY_EXIT', () => {
    expect(itemTags(PAGE, 'EXIT STATUS').map(Number)).toEqual([...new Set(Object.values(APPLY_EXIT))].sort((a, b) => a - b));
  });

  it('names in ENVIRONMENT each variable boot.ts reads from /etc/default/ipvsadm', () => {
    const source = readFileSync(new URL('src/apply/boot.ts', ROOT), 'utf8');
    const read = [...source.matchAll(/value\('([A-Z]+)'\)/g)].map((m) => m[1]!);
    expect(read.sort()).toEqual(['AUTO', 'DAEMON', 'IFACE', 'SYNCID']);
    expect(itemTags(PAGE, 'ENVIRONMENT').sort()).toEqual(read);
  });

  it("quotes the units' commands and names the units it explains", () => {
    const text = section('UNITS').replace(/\s+/g, ' ');
    expect(itemTags(PAGE, 'UNITS')).toEqual(['ipvsadm.service', 'ipvsadm-metrics.service']);
    for (const key of ['ExecStart', 'ExecStop']) {
      const line = unit('ipvsadm.service').split('\n').find((l) => l.startsWith(`${key}=`))!;
      expect(text, key).toContain(line.slice(key.length + 1).replace('/usr/local/bin/', ''));
    }
    expect(unit('ipvsadm-metrics.service')).toContain('Environment="IPVSADM_METRICS_ARGS=--listen 127.0.0.1:9565"');
    expect(text).toContain('--listen 127.0.0.1:9565');
    expect(unit('ipvsadm-metrics.service')).toMatch(/^AmbientCapabilities=CAP_NET_ADMIN$/m);
    expect(unit('ipvsadm-metrics.service')).toMatch(/^CapabilityBoundingSet=CAP_NET_ADMIN$/m);
  });
});
