// Completion against a real table: the bash script of `ipvsadm completion bash` driven in bash
// (COMP_WORDS set, _ipvsadm called), `ipvsadm` on PATH being ours (bin/ipvsadm.js), completes the
// kernel's services after -t/-u/-f, a service's real servers after -r, the namespaces of
// /run/netns after --netns, and with --netns NS that namespace's services.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertInGuest, createNetns, deleteNetns, resetIpvs, runC } from './support/guest.js';

assertInGuest();

const BIN = fileURLToPath(new URL('../../bin/ipvsadm.js', import.meta.url));
const DIR = mkdtempSync(join(tmpdir(), 'completion-'));
const SCRIPT = join(DIR, 'ipvsadm.bash');
let ns = '';

const ROOT_RULES = [
  '-A -t 192.0.2.1:80 -s rr',
  '-a -t 192.0.2.1:80 -r 198.51.100.1:80 -m',
  '-a -t 192.0.2.1:80 -r 198.51.100.2:8080 -m',
  '-A -t [2001:db8::1]:443 -s wlc',
  '-a -t [2001:db8::1]:443 -r [2001:db8::10]:443 -g',
  '-A -u 192.0.2.1:53 -s rr',
  '-A -f 7 -s sh',
  '',
].join('\n');

beforeAll(() => {
  resetIpvs();
  expect(runC(['-R'], { stdin: ROOT_RULES }).code).toBe(0);
  ns = createNetns('cmp');
  expect(runC(['-A', '-u', '192.0.2.5:53', '-s', 'rr'], { netns: ns }).code).toBe(0);
  mkdirSync(join(DIR, 'bin'));
  writeFileSync(join(DIR, 'bin', 'ipvsadm'), `#!/bin/sh\nexec node ${BIN} "$@"\n`);
  chmodSync(join(DIR, 'bin', 'ipvsadm'), 0o755);
  const script = spawnSync('node', [BIN, 'completion', 'bash'], { encoding: 'utf8' });
  expect(script.status).toBe(0);
  writeFileSync(SCRIPT, script.stdout);
}, 60_000);

afterAll(() => {
  if (ns) deleteNetns(ns);
  resetIpvs();
  rmSync(DIR, { recursive: true, force: true });
});

/** COMPREPLY for COMP_WORDS `words` (as bash splits them, the last being the word at the cursor). */
function complete(words: readonly string[]): string[] {
  const r = spawnSync('bash', ['--norc', '-c', 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; _ipvsadm; printf "%s\\n" "${COMPREPLY[@]}"', 'bash', SCRIPT, ...words], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${join(DIR, 'bin')}:${process.env['PATH']}` },
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout.split('\n').filter((l) => l !== '').sort();
}

describe('bash completion over the kernel table', () => {
  it('services of the kind asked after -t, -u and -f of -E, -L, -Z', () => {
    expect(complete(['ipvsadm', '-E', '-t', ''])).toEqual(['192.0.2.1:80', '[2001:db8::1]:443']);
    expect(complete(['ipvsadm', '-L', '-n', '-u', ''])).toEqual(['192.0.2.1:53']);
    expect(complete(['ipvsadm', '-Z', '-f', ''])).toEqual(['7']);
  });

  it("that service's real servers after -r of -e and -d", () => {
    // bash splits 192.0.2.1:80 at its ':' (COMP_WORDBREAKS)
    expect(complete(['ipvsadm', '-d', '-t', '192.0.2.1', ':', '80', '-r', ''])).toEqual(['198.51.100.1:80', '198.51.100.2:8080']);
    expect(complete(['ipvsadm', '-e', '-t', '[2001:db8::1]:443', '-r', ''])).toEqual(['[2001:db8::10]:443']);
  });

  it('namespaces after --netns, and that namespace\'s services after it', () => {
    expect(complete(['ipvsadm', '--netns', ''])).toContain(ns);
    expect(complete(['ipvsadm', '--netns', ns, '-D', '-u', ''])).toEqual(['192.0.2.5:53']);
  });
});
