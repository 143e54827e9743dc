import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatUsage, formatVersion, VERSION } from '../../../src/cli/format/usage.js';
import { COMMAND_WORDS } from '../../../src/entry/command-table.js';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Every command and option of ipvsadm 1.31, long and short forms. */
const OPTIONS = [
  '--add-service', '-A', '--edit-service', '-E', '--delete-service', '-D', '--clear', '-C',
  '--list', '-L', '-l', '--add-server', '-a', '--edit-server', '-e', '--delete-server', '-d',
  '--set', '--start-daemon', '--stop-daemon', '--restore', '-R', '--save', '-S', '--zero', '-Z',
  '--help', '-h', '--version', '-v',
  '--tcp-service', '-t', '--udp-service', '-u', '--sctp-service', '--fwmark-service', '-f',
  '--scheduler', '-s', '--persistent', '-p', '--netmask', '-M', '--real-server', '-r',
  '--gatewaying', '-g', '--ipip', '-i', '--masquerading', '-m', '--weight', '-w',
  '--u-threshold', '-x', '--l-threshold', '-y', '--numeric', '-n', '--connection', '-c',
  '--mcast-interface', '--syncid', '--timeout', '--daemon', '--stats', '--rate', '--thresholds',
  '--persistent-conn', '--nosort', '--sort', '--exact', '-X', '--ipv6', '-6', '--ops', '-o',
  '--pe', '--sched-flags', '-b', '--mcast-group', '--mcast-port', '--mcast-ttl', '--sync-maxlen',
  '--tun-info', '--tun-type', '--tun-port', '--tun-nocsum', '--tun-csum', '--tun-remcsum',
];

describe('formatVersion', () => {
  it('names this tool, its package version and the ipvsadm release it follows', () => {
    expect(VERSION).toBe(pkg.version);
    expect(formatVersion()).toBe(`ipvsadm-ts ${pkg.version} (a drop-in for ipvsadm v1.31 2019/12/24, IPVS v1.2.1)\n`);
  });
});

describe('formatUsage', () => {
  const text = formatUsage('/sbin/ipvsadm');

  it.each(OPTIONS)('mentions %s as a word', (opt) => {
    const re = new RegExp(`(^|[\\s|\\[,])${opt.replace(/[-]/g, '\\-')}(?=[\\s,|\\]=]|$)`, 'm');
    expect(text).toMatch(re);
  });

  it('shows argv0 in the usage lines and ends with a newline', () => {
    expect(text).toContain('  /sbin/ipvsadm -A|-E SERVICE');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.startsWith(formatVersion())).toBe(true);
  });

  it('keeps the section order: usage, commands, services, options, daemon options', () => {
    const at = ['Usage:', 'Commands:', 'SERVICE is one of:', 'Options:', 'Sync daemon options:'].map((h) => text.indexOf(h));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it('states the real defaults (syncid 0, persistence 360 s, scheduler wlc)', () => {
    expect(text).toMatch(/--syncid ID.*default 0/);
    expect(text).toMatch(/--persistent.*default 360/);
    expect(text).toMatch(/--scheduler.*wlc \(default\)/);
  });

  it('is its own text, not ipvsadm’s', () => {
    expect(text).not.toContain('compiled with popt');
    expect(text).not.toContain('virtual-service');
  });

  it('keeps lines within 100 columns for a short argv0', () => {
    for (const line of formatUsage('ipvsadm').split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
  });

  it('names every command of ours (each leading word of the command table) and --netns', () => {
    const beyond = text.slice(text.indexOf('Beyond ipvsadm 1.31'));
    expect(beyond.length).toBeLessThan(text.length);
    for (const word of [...COMMAND_WORDS, '--netns']) expect(beyond, word).toMatch(new RegExp(`^  (\\S+\\|)?${word}[ |]`, 'm'));
  });
});
