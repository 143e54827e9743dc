// format.ts: step phrases and JSON, mode labels, run reports (applied, nothing to do, dry run,
// notes, --persist outcomes), the check table and summary, and failure reports (text and JSON).
import { describe, expect, it } from 'vitest';
import type { CheckReport } from '../../src/prep/check.js';
import { ApplyError, StepError } from '../../src/prep/errors.js';
import { applyErrorJson, checkJson, describeStep, formatApplyError, formatCheck, formatRun, modeLabel, runJson, stepJson } from '../../src/prep/format.js';
import type { RunReport } from '../../src/prep/format.js';
import type { Step } from '../../src/prep/model.js';
import { vip } from './support.js';

const sysctl: Step = { kind: 'sysctl-set', key: 'net/ipv4/conf/all/arp_ignore', from: 3, to: 1 };
const fresh: Step = { kind: 'sysctl-set', key: 'net/ipv4/conf/tunl0/rp_filter', from: undefined, to: 0 };
const add6: Step = { kind: 'address-add', dev: 'lo', vip: vip('2001:db8::1'), prefix: 128, nodad: true };
const add4: Step = { kind: 'address-add', dev: 'lo', vip: vip('192.0.2.1'), prefix: 32, nodad: false };
const del4: Step = { kind: 'address-del', dev: 'lo', vip: vip('192.0.2.1'), prefix: 32, nodad: false };

describe('describeStep / stepJson', () => {
  it.each<[Step, string]>([
    [{ kind: 'module-load', module: 'ipip' }, 'load module ipip'],
    [sysctl, 'set net.ipv4.conf.all.arp_ignore = 1 (was 3)'],
    [fresh, 'set net.ipv4.conf.tunl0.rp_filter = 0 (device not there yet)'],
    [{ kind: 'link-set', dev: 'tunl0', up: true }, 'set link tunl0 up'],
    [{ kind: 'link-set', dev: 'tunl0', up: false }, 'set link tunl0 down'],
    [add6, 'add 2001:db8::1/128 to lo (nodad, deprecated)'],
    [add4, 'add 192.0.2.1/32 to lo'],
    [del4, 'remove 192.0.2.1/32 from lo'],
    [{ kind: 'fou-add', port: 6080, family: 4 }, 'open GUE port 6080/udp (IPv4)'],
    [{ kind: 'fou-del', port: 5555, family: 6 }, 'close GUE port 5555/udp (IPv6)'],
  ])('%j → %s', (step, text) => {
    expect(describeStep(step)).toBe(text);
  });

  it('JSON: sysctl names dotted, missing from as null, VIPs as text', () => {
    expect(stepJson(sysctl)).toEqual({ kind: 'sysctl-set', key: 'net.ipv4.conf.all.arp_ignore', from: 3, to: 1 });
    expect(stepJson(fresh)).toEqual({ kind: 'sysctl-set', key: 'net.ipv4.conf.tunl0.rp_filter', from: null, to: 0 });
    expect(stepJson(add6)).toEqual({ kind: 'address-add', dev: 'lo', address: '2001:db8::1', prefix: 128, nodad: true });
    expect(stepJson({ kind: 'fou-add', port: 6080, family: 4 })).toEqual({ kind: 'fou-add', port: 6080, family: 4 });
    expect(stepJson({ kind: 'module-load', module: 'fou' })).toEqual({ kind: 'module-load', module: 'fou' });
  });
});

describe('modeLabel', () => {
  it('tunnel type (and GUE port) for TUN real servers only', () => {
    expect(modeLabel({ side: 'realserver', mode: 'tun', tunType: 'gue', tunPort: 6080 })).toBe('tun gue, port 6080');
    expect(modeLabel({ side: 'realserver', mode: 'tun', tunType: 'gre', tunPort: 6080 })).toBe('tun gre');
    expect(modeLabel({ side: 'realserver', mode: 'dr', tunType: 'gue', tunPort: 6080 })).toBe('dr');
    expect(modeLabel({ side: 'director', mode: 'tun' })).toBe('tun');
  });
});

const run = (r: Partial<RunReport>): RunReport => ({ side: 'realserver', action: 'up', mode: 'dr', dryRun: false, steps: [], notes: [], ...r });

describe('formatRun', () => {
  it('changes applied, with the state file', () => {
    expect(formatRun(run({ steps: [sysctl, add4], stateFile: '/run/ipvsadm-ts/realserver.json' }))).toBe(
      'realserver up (dr): 2 changes applied:\n  set net.ipv4.conf.all.arp_ignore = 1 (was 3)\n  add 192.0.2.1/32 to lo\nstate: /run/ipvsadm-ts/realserver.json\n',
    );
  });

  it('nothing to do (no state line); down says nothing to undo; notes follow', () => {
    expect(formatRun(run({ stateFile: '/s.json' }))).toBe('realserver up (dr): nothing to do, already prepared\n');
    expect(formatRun(run({ side: 'director', action: 'down', mode: 'nat', notes: ['a', 'b'] }))).toBe('director down (nat): nothing to do, nothing to undo\nnote: a\nnote: b\n');
  });

  it('one change, singular', () => {
    expect(formatRun(run({ action: 'down', steps: [del4] }))).toBe('realserver down (dr): 1 change applied:\n  remove 192.0.2.1/32 from lo\n');
  });

  it('dry run: would make, no state line, closing line', () => {
    expect(formatRun(run({ mode: 'tun ipip', dryRun: true, steps: [{ kind: 'module-load', module: 'ipip' }], stateFile: '/s.json', persist: { path: '/etc/x.conf', outcome: 'would write' } }))).toBe(
      'realserver up (tun ipip), dry run: would make 1 change:\n  load module ipip\nwould write: /etc/x.conf\ndry run: nothing was changed\n',
    );
  });

  it.each([
    ['written', 'written: /p'],
    ['removed', 'removed: /p'],
    ['absent', 'no file to remove: /p'],
    ['would remove', 'would remove: /p'],
  ] as const)('--persist %s', (outcome, line) => {
    expect(formatRun(run({ persist: { path: '/p', outcome } })).split('\n')[1]).toBe(line);
  });

  it('JSON: ok, the report, changed, steps as stepJson', () => {
    const text = runJson(run({ steps: [fresh], stateFile: '/s.json' }));
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text)).toEqual({
      ok: true, side: 'realserver', action: 'up', mode: 'dr', dryRun: false, notes: [], stateFile: '/s.json', changed: true,
      steps: [{ kind: 'sysctl-set', key: 'net.ipv4.conf.tunl0.rp_filter', from: null, to: 0 }],
    });
    expect(JSON.parse(runJson(run({ dryRun: true, steps: [fresh] }))).changed).toBe(false);
    expect(JSON.parse(runJson(run({}))).changed).toBe(false);
  });
});

const REPORT: CheckReport = {
  ready: false,
  rows: [
    { kind: 'sysctl', requirement: 'net.ipv4.conf.lo.arp_ignore', expected: '1', effective: '2', detail: 'max(all 2, own 1)', ok: false },
    { kind: 'link', requirement: 'link lo', expected: 'up', effective: 'up', ok: true },
  ],
};

describe('formatCheck / checkJson', () => {
  it('a table without rules or colour, then the summary', () => {
    expect(formatCheck(REPORT, { side: 'realserver', mode: 'dr' }, { color: false })).toBe(
      [
        'requirement                 expected effective             status',
        'net.ipv4.conf.lo.arp_ignore 1        2 (max(all 2, own 1)) FAIL',
        'link lo                     up       up                    ok',
        'not ready: 1 of 2 requirements not met',
        '',
      ].join('\n'),
    );
  });

  it('ready summary; colour only when asked', () => {
    const ready: CheckReport = { ready: true, rows: [REPORT.rows[1]!] };
    const plain = formatCheck(ready, { side: 'director', mode: 'nat' }, { color: false });
    expect(plain.endsWith('\nready: director prepared for nat (1 requirement met)\n')).toBe(true);
    expect(plain).not.toContain('\u001b[');
    const coloured = formatCheck(REPORT, { side: 'realserver', mode: 'dr' }, { color: true });
    expect(coloured).toContain('\u001b[32mok\u001b[39m');
    expect(coloured).toContain('\u001b[31m\u001b[1mFAIL\u001b[22m\u001b[39m');
  });

  it('JSON: side, mode, ready, the rows', () => {
    expect(JSON.parse(checkJson(REPORT, { side: 'realserver', mode: 'dr' }))).toEqual({ side: 'realserver', mode: 'dr', ready: false, requirements: REPORT.rows });
  });
});

describe('formatApplyError / applyErrorJson', () => {
  const failed = new StepError(add4, 'cannot add 192.0.2.1/32 to lo: Operation not permitted');
  const undo1: Step = { kind: 'sysctl-set', key: 'net/ipv4/conf/lo/arp_ignore', from: 1, to: 0 };
  const undo2: Step = { kind: 'sysctl-set', key: 'net/ipv4/conf/all/arp_ignore', from: 1, to: 3 };

  it('what failed, what was rolled back, that nothing remains, modules left', () => {
    expect(formatApplyError('ipvsadm realserver up', new ApplyError(failed, [undo1, undo2], [], ['ipip']))).toBe(
      [
        'ipvsadm realserver up: cannot add 192.0.2.1/32 to lo: Operation not permitted',
        'rolled back 2 changes:',
        '  set net.ipv4.conf.lo.arp_ignore = 0 (was 1)',
        '  set net.ipv4.conf.all.arp_ignore = 3 (was 1)',
        'nothing of this run remains applied',
        '(modules loaded by this run stay loaded: ipip)',
        '',
      ].join('\n'),
    );
  });

  it('an incomplete rollback lists what remains', () => {
    const stuck = new StepError(undo2, 'cannot set net.ipv4.conf.all.arp_ignore = 3 (was 1): Permission denied');
    expect(formatApplyError('x', new ApplyError(failed, [], [stuck], []))).toBe(
      'x: cannot add 192.0.2.1/32 to lo: Operation not permitted\nROLLBACK INCOMPLETE, these changes remain:\n  cannot set net.ipv4.conf.all.arp_ignore = 3 (was 1): Permission denied\n',
    );
  });

  it('JSON', () => {
    const stuck = new StepError(undo2, 'nope');
    const commit = new StepError(undefined, 'cannot write the state file /s.json: disk full');
    expect(JSON.parse(applyErrorJson(new ApplyError(failed, [undo1], [stuck], ['fou'])))).toEqual({
      ok: false,
      error: 'cannot add 192.0.2.1/32 to lo: Operation not permitted',
      failedStep: { kind: 'address-add', dev: 'lo', address: '192.0.2.1', prefix: 32, nodad: false },
      rolledBack: [{ kind: 'sysctl-set', key: 'net.ipv4.conf.lo.arp_ignore', from: 1, to: 0 }],
      rollbackFailures: [{ step: { kind: 'sysctl-set', key: 'net.ipv4.conf.all.arp_ignore', from: 1, to: 3 }, error: 'nope' }],
      modulesLeft: ['fou'],
    });
    expect(JSON.parse(applyErrorJson(new ApplyError(commit, [], [], []))).failedStep).toBeNull();
  });
});
