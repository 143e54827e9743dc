// The completion scripts driven in the real shells: bash (COMP_WORDS/COMP_CWORD/COMP_LINE/COMP_POINT
// set, _ipvsadm called, COMPREPLY printed), zsh (_ipvsadm autoloaded from $fpath with words/CURRENT
// set, compadd and _files standing in for the completion system) and fish (complete -C). The live
// values come from a fake `ipvsadm` first in PATH that logs how it was asked. The expected lists
// are written from ipvsadm(8) and 1.31's option matrix, not from the generator.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionScript } from '../../src/completion/scripts.js';

const SHELL_PROGRAMS = { bash: 'bash', zsh: 'zsh', fish: 'fish', sh: 'sh' } as const;
/** bash-completion's loader, which the bash script is installed for. */
const BASH_COMPLETION = '/usr/share/bash-completion/bash_completion';

let dir = '';
/** Fake values: services of each kind, two real servers, two namespaces; each call logged. */
const FAKE_IPVSADM = `#!/bin/sh
echo "$*" >> "$(dirname "$0")/calls"
case "$3 $4" in
  "services --tcp-service") printf '%s\\n' 192.0.2.1:80 '[2001:db8::1]:443' ;;
  "services --udp-service") printf '%s\\n' 192.0.2.1:53 ;;
  "services --fwmark-service") printf '%s\\n' 1 7 ;;
  "dests --tcp-service") printf '%s\\n' 198.51.100.1:80 198.51.100.2:8080 ;;
  "netns ") printf '%s\\n' blue red ;;
esac
`;

beforeAll(() => {
  for (const program of Object.values(SHELL_PROGRAMS)) {
    const r = spawnSync('sh', ['-c', `command -v ${program}`]);
    if (r.status !== 0) throw new Error(`${program} is not installed: the completion tests need bash, zsh and fish (apt-get install bash zsh fish bash-completion; test/run-all.mjs installs them)`);
  }
  if (!existsSync(BASH_COMPLETION)) throw new Error(`${BASH_COMPLETION} is missing: the bash script is tested under bash-completion (apt-get install bash-completion; test/run-all.mjs installs it)`);
  dir = mkdtempSync(join(tmpdir(), 'ipvsadm-completion-'));
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'zsh'));
  mkdirSync(join(dir, 'cwd'));
  writeFileSync(join(dir, 'cwd', 'rules.txt'), '');
  writeFileSync(join(dir, 'bin', 'ipvsadm'), FAKE_IPVSADM);
  chmodSync(join(dir, 'bin', 'ipvsadm'), 0o755);
  writeFileSync(join(dir, 'ipvsadm.bash'), completionScript('bash'));
  writeFileSync(join(dir, 'zsh', '_ipvsadm'), completionScript('zsh'));
  writeFileSync(join(dir, 'ipvsadm.fish'), completionScript('fish'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const env = (): NodeJS.ProcessEnv => ({ ...process.env, PATH: `${join(dir, 'bin')}:${process.env['PATH']}`, HOME: dir, XDG_CONFIG_HOME: join(dir, 'config') });

function run(program: string, args: readonly string[]): string[] {
  rmSync(join(dir, 'bin', 'calls'), { force: true });
  const r = spawnSync(program, args, { cwd: join(dir, 'cwd'), env: env(), encoding: 'utf8' });
  expect(r.stderr, `${program} ${args.join(' ')}`).toBe('');
  expect(r.status).toBe(0);
  return r.stdout.split('\n').filter((l) => l !== '');
}

/** What the fake ipvsadm was asked, one call a line. */
function calls(): string[] {
  try {
    return readFileSync(join(dir, 'bin', 'calls'), 'utf8').split('\n').filter((l) => l !== '');
  } catch {
    return [];
  }
}

/** bash: COMP_WORDS as bash splits the line (at spaces, and at `:` of COMP_WORDBREAKS), the cursor at the end. */
function bash(words: readonly string[], line: string): string[] {
  const script = `source ${BASH_COMPLETION}; source "$1"; shift
COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE=$LINE; COMP_POINT=\${#COMP_LINE}
_ipvsadm; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return run('bash', ['--norc', '--noprofile', '-c', `LINE=${shq(line)}; ${script}`, 'bash', join(dir, 'ipvsadm.bash'), ...words]);
}

const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** zsh: the function autoloaded from $fpath as compinit would, words and CURRENT set. */
function zsh(words: readonly string[]): string[] {
  const script = `compadd() { [[ $1 == -- ]] && shift; print -rl -- "$@"; }
_files() { print -r -- '<files>'; }
fpath=(${shq(join(dir, 'zsh'))} $fpath); autoload -Uz _ipvsadm
words=("$@"); CURRENT=$#; PREFIX=\${words[CURRENT]}
_ipvsadm`;
  return run('zsh', ['-f', '-c', script, 'zsh', ...words]);
}

/** fish: complete -C on the line, the script loaded as ~/.config/fish/completions would. */
function fish(line: string): string[] {
  return run('fish', ['--no-config', '-c', `source ${shq(join(dir, 'ipvsadm.fish'))}; complete -C ${shq(line)}`]).map((l) => l.split('\t')[0]!);
}

/** The line typed (the cursor at its end) → the candidates every shell must offer, and the helper calls. */
interface Case {
  readonly line: string;
  readonly want: readonly string[];
  readonly asks?: readonly string[];
}

const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh'];
const CASES: readonly Case[] = [
  { line: 'ipvsadm -A -s ', want: SCHEDULERS },
  { line: 'ipvsadm -A -t 192.0.2.1:80 -s w', want: ['wlc', 'wrr'] },
  // -A: service address, scheduler, persistence, netmask, one-packet, pe, sched flags; -6 and --netns (ours)
  { line: 'ipvsadm -A ', want: ['-t', '-u', '--sctp-service', '-f', '-s', '-p', '-M', '-o', '--pe', '-b', '-6', '--netns'] },
  // -d takes the service and the real server only; the service is given
  { line: 'ipvsadm -d -t 192.0.2.1:80 ', want: ['-r', '-6', '--netns'] },
  // one forwarding method: -m given, -g and -i are no longer offered
  { line: 'ipvsadm -a -t 192.0.2.1:80 -r 198.51.100.1 -m ', want: ['-w', '-x', '-y', '-6', '--tun-type', '--tun-port', '--tun-nocsum', '--tun-csum', '--tun-remcsum', '--netns'] },
  { line: 'ipvsadm -L --n', want: ['--numeric', '--nosort', '--netns'] },
  { line: 'ipvsadm --start-daemon ', want: ['master', 'backup'] },
  { line: 'ipvsadm -a -t 192.0.2.1:80 -r 198.51.100.1 --tun-type ', want: ['ipip', 'gue', 'gre'] },
  { line: 'ipvsadm -E -t ', want: ['192.0.2.1:80', '[2001:db8::1]:443'], asks: ['completion values services --tcp-service'] },
  { line: 'ipvsadm -Ln -u ', want: ['192.0.2.1:53'], asks: ['completion values services --udp-service'] },
  { line: 'ipvsadm -Z -f ', want: ['1', '7'], asks: ['completion values services --fwmark-service'] },
  // -A names a new service: nothing to ask the kernel
  { line: 'ipvsadm -A -t ', want: [], asks: [] },
  { line: 'ipvsadm -e -t 192.0.2.1:80 -r ', want: ['198.51.100.1:80', '198.51.100.2:8080'], asks: ['completion values dests --tcp-service 192.0.2.1:80'] },
  { line: 'ipvsadm -a -t 192.0.2.1:80 -r ', want: [], asks: [] },
  { line: 'ipvsadm --netns ', want: ['blue', 'red'], asks: ['completion values netns'] },
  { line: 'ipvsadm --netns blue -D -t ', want: ['192.0.2.1:80', '[2001:db8::1]:443'], asks: ['completion values services --tcp-service --netns blue'] },
  { line: 'ipvsadm d', want: ['director', 'doctor', 'drain'] },
  { line: 'ipvsadm director ', want: ['up', 'down', 'check', 'ready'] },
  { line: 'ipvsadm director ready --r', want: ['--rules'] },
  { line: 'ipvsadm realserver up --mode ', want: ['dr', 'tun'] },
  { line: 'ipvsadm drain -t 192.0.2.1:80 -r ', want: ['198.51.100.1:80', '198.51.100.2:8080'], asks: ['completion values dests --tcp-service 192.0.2.1:80'] },
  { line: 'ipvsadm top --sort ', want: ['natural', 'active', 'inactive', 'cps', 'new', 'packets', 'bytes', 'weight'] },
  { line: 'ipvsadm completion ', want: ['bash', 'zsh', 'fish'] },
  // ipvsadm-save [-n] [--json] and ipvsadm-restore, with --netns (ours) as every program
  { line: 'ipvsadm-save -', want: ['-n', '--json', '--netns'] },
  { line: 'ipvsadm-restore --', want: ['--netns'] },
  { line: '/usr/sbin/ipvsadm-save --netns ', want: ['blue', 'red'], asks: ['completion values netns'] },
];

/** The words of a line as zsh and fish see them (split at spaces only; a trailing space: an empty word). */
const wordsOf = (line: string): string[] => line.split(' ');

describe.each(['bash', 'zsh', 'fish'] as const)('completion in %s', (shell) => {
  const complete = (line: string): string[] => (shell === 'bash' ? bash(wordsOf(line), line) : shell === 'zsh' ? zsh(wordsOf(line)) : fish(line));

  it.each(CASES.map((c) => [c.line, c] as const))('%s', (_, c) => {
    expect(complete(c.line).sort()).toEqual([...c.want].sort());
    if (c.asks) expect(calls()).toEqual(c.asks);
  });
});

describe('bash specifics', () => {
  it('joins what bash splits at ":" and inserts only the part after the last one', () => {
    // COMP_WORDBREAKS splits 198.51.100.2:8 into three words; bash replaces only the last
    const got = bash(['ipvsadm', '-d', '-t', '192.0.2.1', ':', '80', '-r', '198.51.100.2', ':', '8'], 'ipvsadm -d -t 192.0.2.1:80 -r 198.51.100.2:8');
    expect(got).toEqual(['8080']);
    expect(calls()).toEqual(['completion values dests --tcp-service 192.0.2.1:80']);
  });

  it('--option=value: the value completed after "=", which bash splits off too', () => {
    expect(bash(['ipvsadm', '-A', '--scheduler', '=', 'w'], 'ipvsadm -A --scheduler=w').sort()).toEqual(['wlc', 'wrr']);
    expect(bash(['ipvsadm', '--netns', '=', 'blue', '-L', '-t', ''], 'ipvsadm --netns=blue -L -t ')).toEqual(['192.0.2.1:80', '[2001:db8::1]:443']);
    expect(calls()).toEqual(['completion values services --tcp-service --netns blue']);
  });

  it('offers files and - after apply', () => {
    expect(bash(['ipvsadm', 'apply', ''], 'ipvsadm apply ').sort()).toEqual(['-', 'rules.txt']);
  });

  it('the helper failing (not there) gives no candidate and no message', () => {
    const r = spawnSync('bash', ['--norc', '-c', `source "$1"; COMP_WORDS=(ipvsadm -E -t ''); COMP_CWORD=3; _ipvsadm; echo "n=\${#COMPREPLY[@]}"`, 'bash', join(dir, 'ipvsadm.bash')], {
      env: { ...process.env, IPVSADM_COMPLETION_HELPER: join(dir, 'no-such-program') },
      encoding: 'utf8',
    });
    expect({ out: r.stdout, err: r.stderr, status: r.status }).toEqual({ out: 'n=0\n', err: '', status: 0 });
  });
});

describe('zsh and fish specifics', () => {
  it.each([
    ['zsh', (line: string) => zsh(wordsOf(line))],
    ['fish', (line: string) => fish(line)],
  ] as const)('%s: --option=value, the candidates keeping the "--option="', (_, complete) => {
    expect(complete('ipvsadm -A --scheduler=w').sort()).toEqual(['--scheduler=wlc', '--scheduler=wrr']);
    expect(complete('ipvsadm --netns=').sort()).toEqual(['--netns=blue', '--netns=red']);
    expect(complete('ipvsadm --netns=blue -E -t ').sort()).toEqual(['192.0.2.1:80', '[2001:db8::1]:443']);
    expect(calls()).toEqual(['completion values services --tcp-service --netns blue']);
  });

  it('zsh asks for files after apply', () => {
    expect(zsh(['ipvsadm', 'apply', ''])).toEqual(['-', '<files>']);
  });

  it('zsh: the script sourced (not autoloaded) registers itself with compdef', () => {
    const script = `compdef() { print -r -- "compdef $*"; }; source ${shq(join(dir, 'zsh', '_ipvsadm'))}`;
    expect(run('zsh', ['-f', '-c', script])).toEqual(['compdef _ipvsadm ipvsadm ipvsadm-save ipvsadm-restore']);
  });

  it('zsh: the real completion system (compinit, zle over a pty) lists the candidates, quoting [v6]:port', () => {
    // an interactive zsh in a pseudo-terminal (zsh/zpty) types the line and a Tab; zsh prints the list
    const script = `zmodload zsh/zpty
zpty z 'PS1="> " TERM=dumb zsh -f -i'
zpty -w z 'fpath=(${shq(join(dir, 'zsh'))} $fpath); autoload -Uz compinit; compinit -u -D; echo READY'
zpty -r -m z out '*READY*'
zpty -w -n z $'ipvsadm -A -s w\\t'
zpty -r -m z out '*wrr*'
print -r -- "$out"
zpty -w -n z $'\\C-u'
zpty -w -n z $'ipvsadm -E -t \\t'
zpty -r -m z out '*:443*'
print -r -- "$out"
zpty -d z`;
    const lines = run('timeout', ['60', 'zsh', '-f', '-c', script]).map((l) => l.replace(/\r/g, '').trim());
    expect(lines.map((l) => l.split(/\s+/).sort().join(' '))).toEqual(expect.arrayContaining(['wlc wrr', '192.0.2.1:80 \\[2001:db8::1\\]:443']));
  });

  it('fish offers files after apply', () => {
    expect(fish('ipvsadm apply r')).toEqual(['rules.txt']);
  });

  it('the engine runs under plain sh (fish runs it so): the same candidates as bash', () => {
    const engine = completionScript('bash').split('\n_ipvsadm() {')[0]!;
    expect(run('sh', ['-c', `${engine}\n__ipvsadm_complete "$@"`, 'sh', 'ipvsadm', 'w', '-A', '-s'])).toEqual(['wrr', 'wlc']);
  });
});
