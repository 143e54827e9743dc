// ipvsadm-doctor.8 against the code: its options are --help's, its exit statuses DOCTOR_EXIT's,
// and it names every scheduler, module and manager the checks look for.
import { describe, expect, it } from 'vitest';
import { DOCTOR_EXIT } from '../../src/app/exit-status.js';
import { runDoctorCli } from '../../src/doctor/cli.js';
import { MANAGERS, SCHEDULERS } from '../../src/doctor/checks.js';
import { captureIo } from '../support/capture-io.js';
import { helpOptions, itemTags, renderedSection } from './roff.js';

const PAGE = 'ipvsadm-doctor.8';

describe('ipvsadm-doctor.8', () => {
  it('documents the options --help lists', async () => {
    const io = captureIo();
    expect(await runDoctorCli(['--help'], io)).toBe(0);
    expect(helpOptions(io.out()).sort()).toEqual(['--help', '--json', '-h']);
    expect(itemTags(PAGE, 'OPTIONS').join(' ')).toMatch(/--json.*-h, --help/);
  });

  it('lists exactly the exit statuses of DOCTOR_EXIT', () => {
    expect(itemTags(PAGE, 'EXIT STATUS').map(Number)).toEqual([...new Set(Object.values(DOCTOR_EXIT))].sort((a, b) => a - b));
  });

  it('names every scheduler and some of the managers the checks know', () => {
    const text = renderedSection(PAGE, 'DESCRIPTION').replace(/\s+/g, ' ');
    for (const s of SCHEDULERS) expect(text).toMatch(new RegExp(`\\b${s}\\b`));
    for (const m of MANAGERS.slice(0, 3)) expect(text).toContain(m);
  });
});
