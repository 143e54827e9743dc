// The boot harness's pure parts: the guest init text is valid bash and still does what the guest
// relies on; memory sizes; prerequisite reports name the missing tool, its package and the hint.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { GUEST_INIT_SCRIPT } from '../../src/lab/guest-init.js';
import { findMissingPrerequisites, parseMemory } from '../../src/lab/uml-host.js';

describe('GUEST_INIT_SCRIPT', () => {
  it('is bash that parses (bash -n)', () => {
    const r = spawnSync('bash', ['-n'], { input: GUEST_INIT_SCRIPT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('keeps shell expansions literal (no template-literal interpolation happened)', () => {
    expect(GUEST_INIT_SCRIPT.startsWith('#!/bin/bash\n')).toBe(true);
    expect(GUEST_INIT_SCRIPT).toContain('RUN=${IPVSADM_UML_RUN:-}');
    expect(GUEST_INIT_SCRIPT).toContain(`printf '%s\\n' "$status" >"$RUN/status.tmp"`);
    expect(GUEST_INIT_SCRIPT).toContain('export HOME="$RUN/home" TMPDIR="$RUN/tmp"');
    expect(GUEST_INIT_SCRIPT).toContain('mount -t tmpfs -o mode=755 tmpfs /run');
  });
});

describe('parseMemory', () => {
  it.each([
    ['1G', 1024 ** 3],
    ['768M', 768 * 1024 ** 2],
    ['131072K', 128 * 1024 ** 2],
  ])('%s → %d bytes', (text, bytes) => {
    expect(parseMemory(text)).toBe(bytes);
  });

  it('rejects other forms and sizes too small for node', () => {
    expect(() => parseMemory('1.5G')).toThrow(/must look like 1G or 768M/);
    expect(() => parseMemory('64M')).toThrow(/too small/);
  });
});

describe('findMissingPrerequisites', () => {
  it('names a missing tool with its package', () => {
    const problems = findMissingPrerequisites({
      tools: [['no-such-tool-for-the-lab', 'some-package']],
      installHint: 'apt-get install some-package',
    });
    expect(problems).toContain('no-such-tool-for-the-lab not found (package some-package)');
  });
});
