// ipvsadm-realserver.8 against the code: every option src/realserver/cli.ts and src/lab/cli.ts declare
// (but the hidden --state-dir) has an item and a SYNOPSIS place, and the defaults, exit statuses, what each
// mode changes (requirements.ts), the state files and the lab's addresses are the code's. groff -ww: man-pages.test.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LAB_NEEDS, runLabCli } from '../../src/lab/cli.js';
import { demoRules } from '../../src/lab/lab-plan.js';
import { BRIDGE, CLIENT_NS, LAB_ADDRESSES } from '../../src/lab/world.js';
import { runPrepCli } from '../../src/realserver/cli.js';
import { EXIT } from '../../src/prep/errors.js';
import type { Side } from '../../src/prep/model.js';
import { desiredState } from '../../src/prep/requirements.js';
import { buildRequest, DEFAULT_GUE_PORT } from '../../src/prep/spec.js';
import type { RawOptions } from '../../src/prep/spec.js';
import { DEFAULT_STATE_DIR, stateFile } from '../../src/prep/state.js';
import { sysctlName } from '../../src/host/sysctl.js';
import { captureIo } from '../support/capture-io.js';
import { declaredOptions, groff, roffText, ROOT, wordRe } from './roff.js';

const PAGE = 'ipvsadm-realserver.8';
const HIDDEN = ['--state-dir'];


const PREP_DECLARED = declaredOptions('src/realserver/cli.ts');
const PREP_OPTIONS = PREP_DECLARED.filter((o) => !HIDDEN.includes(o));
const LAB_OPTIONS = declaredOptions('src/lab/cli.ts');

async function help(run: (io: ReturnType<typeof captureIo>) => Promise<number>): Promise<string> {
  const io = captureIo();
  expect(await run(io)).toBe(0);
  return io.out();
}
const prepHelp = (side: Side): Promise<string> => help((io) => runPrepCli(side, ['--help'], io));
const labHelp = (): Promise<string> => help((io) => runLabCli(['--help'], io));
/** Option spellings listed in the Options: part of a commander help text. */
const helpOptions = (text: string): string[] =>
  (text.split('\nOptions:\n')[1] ?? '').split('\n').flatMap((l) => /^ {2}(--?[a-z][a-z0-9-]*(?:, --?[a-z][a-z0-9-]*)*)/.exec(l)?.[1]?.split(', ') ?? []);

let rendered: string | undefined;
/** The page as plain ASCII, with lines so long that every paragraph is one line. */
function plain(): string {
  if (rendered === undefined) {
    const r = groff(PAGE, ['-man', '-Tascii', '-P-cbou', '-rLL=20000n']);
    expect(r.status, r.stderr).toBe(0);
    rendered = r.stdout;
  }
  return rendered;
}

/** Rendered text of a section (`.SH`), headings in column 0. */
function section(name: string): string {
  const lines = plain().split('\n').slice(1);
  const start = lines.findIndex((l) => l.trim() === name && /^[A-Z]/.test(l));
  if (start < 0) throw new Error(`man/${PAGE} has no ${name} section`);
  const end = lines.findIndex((l, i) => i > start && /^[A-Z]/.test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** `.TP` items (tag, body) of source section `sh`, and of its subsection `ss` when given. */
function items(sh: string, ss?: string): { tag: string; body: string }[] {
  const out: { tag: string; body: string[] }[] = [];
  const lines = readFileSync(new URL(`man/${PAGE}`, ROOT), 'utf8').split('\n');
  let inSh = false;
  let inSs = ss === undefined;
  let item: { tag: string; body: string[] } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heading = /^\.(SH|SS)\s+"?([^"]*)"?$/.exec(line);
    if (heading) {
      item = undefined;
      if (heading[1] === 'SH') [inSh, inSs] = [heading[2] === sh, ss === undefined];
      else inSs = ss === undefined || heading[2] === ss;
    } else if (!inSh || !inSs) continue;
    else if (/^\.TP\b/.test(line)) out.push((item = { tag: roffText(lines[++i] ?? ''), body: [] }));
    else if (/^\.(PP|RS|RE|IP)\b/.test(line)) item = undefined;
    else if (item && !line.startsWith('.\\"')) item.body.push(roffText(line));
  }
  return out.map(({ tag, body }) => ({ tag, body: body.join(' ').replace(/\s+/g, ' ') }));
}

const PREP_SS = 'realserver and director';
const LAB_SS = 'lab';
const itemOf = (ss: string, option: string): { tag: string; body: string } | undefined =>
  items('OPTIONS', ss).find(({ tag }) => wordRe(option).test(tag));

describe('the options the code declares', () => {
  it('finds them in the sources, and --state-dir is the one hidden from --help', async () => {
    expect(PREP_DECLARED).toContain('--state-dir');
    expect(PREP_OPTIONS).toEqual(expect.arrayContaining(['--mode', '--vip', '--dev', '--tun-type', '--tun-port', '--dry-run', '--persist', '--json', '-h', '--help']));
    const shown = new Set([...helpOptions(await prepHelp('realserver')), ...helpOptions(await prepHelp('director'))]);
    expect([...shown].sort()).toEqual([...PREP_OPTIONS].sort());
    expect(helpOptions(await labHelp()).sort()).toEqual([...LAB_OPTIONS].sort());
  });

  it.each(PREP_OPTIONS)('realserver/director %s has an item under OPTIONS, "realserver and director"', (option) => {
    expect(itemOf(PREP_SS, option)).toBeDefined();
  });

  it.each(LAB_OPTIONS)('lab %s has an item under OPTIONS, "lab"', (option) => {
    expect(itemOf(LAB_SS, option)).toBeDefined();
  });

  it.each([...new Set([...PREP_OPTIONS, ...LAB_OPTIONS])])('%s is in the SYNOPSIS', (option) => {
    expect(section('SYNOPSIS')).toMatch(wordRe(option));
  });

  it('the SYNOPSIS has forms for every side and action', () => {
    const synopsis = section('SYNOPSIS').replace(/\s+/g, ' ');
    for (const form of ['ipvsadm realserver { up | check } --mode { dr | tun } --vip VIPS', 'ipvsadm realserver down',
      'ipvsadm director { up | check } --mode { nat | dr | tun }', 'ipvsadm director down', 'ipvsadm lab']) {
      expect(synopsis).toContain(form);
    }
  });
});

describe('values and defaults are the code\'s', () => {
  const body = (ss: string, option: string): string => itemOf(ss, option)?.body ?? '';

  it('--mode names the modes each side\'s --help offers, and has no default', async () => {
    for (const side of ['realserver', 'director'] as const) {
      const modes = /forwarding method \(([a-z|]+)\)/.exec(await prepHelp(side))?.[1]?.split('|') ?? [];
      expect(modes.length).toBeGreaterThan(1);
      for (const m of modes) expect(body(PREP_SS, '--mode')).toMatch(wordRe(m));
    }
    expect(body(PREP_SS, '--mode')).toContain('There is no default');
  });

  it('--tun-type lists the tunnel types, default ipip; --tun-port its range and default', async () => {
    const types = /tunnel type for --mode tun \(([a-z|]+)\)/.exec(await prepHelp('realserver'))?.[1]?.split('|') ?? [];
    expect(types).toEqual(['ipip', 'gue', 'gre']);
    for (const t of types) expect(body(PREP_SS, '--tun-type')).toMatch(wordRe(t));
    expect(body(PREP_SS, '--tun-type')).toContain('Default ipip');
    expect(body(PREP_SS, '--tun-port')).toContain('1 to 65535');
    expect(body(PREP_SS, '--tun-port')).toContain(`Default ${DEFAULT_GUE_PORT}.`);
  });

  it('lab --mode, --tun-type and --requests: choices and defaults as lab --help shows them', async () => {
    const text = (await labHelp()).replace(/\s+/g, ' ');
    const choices = (option: string): string[] =>
      [...(new RegExp(`${option} <\\w+> [^(]*\\((?:[^()]*\\) \\()?choices: ([^)]*)\\)`).exec(text)?.[1]?.split(', default:')[0] ?? '').matchAll(/"(\w+)"/g)].map((m) => m[1]!);
    const dflt = (option: string): string | undefined => new RegExp(`${option} <\\w+> [^-]*default: "(\\w+)"`).exec(text)?.[1];
    expect(choices('--mode')).toEqual(['nat', 'dr', 'tun']);
    expect(choices('--tun-type')).toEqual(['ipip', 'gue', 'gre']);
    for (const [option, values] of [['--mode', choices('--mode')], ['--tun-type', choices('--tun-type')]] as const) {
      for (const v of values) expect(body(LAB_SS, option)).toMatch(wordRe(v));
    }
    expect(body(LAB_SS, '--mode')).toContain(`Default ${dflt('--mode')}.`);
    expect(body(LAB_SS, '--tun-type')).toContain('Default ipip.');
    expect(body(LAB_SS, '--requests')).toContain('1 to 10000');
    expect(body(LAB_SS, '--requests')).toContain(`Default ${dflt('--requests')}.`);
  });

  it('has the exit statuses of errors.ts EXIT, then the lab\'s 0 to 3', () => {
    const tags = items('EXIT STATUS').map(({ tag }) => tag);
    expect(tags).toEqual([...Object.values(EXIT).map(String), '0', '1', '2', '3']);
  });
});

describe('MODES lists what requirements.ts sets', () => {
  const modes = section('MODES');
  const spec = (side: Side, raw: RawOptions) => buildRequest(side, 'up', raw).spec!;
  const both = ['192.0.2.1', '2001:db8::1'];
  const cases = [
    ['realserver dr', spec('realserver', { mode: 'dr', vip: both, dev: 'IFACE' })],
    ...(['ipip', 'gue', 'gre'] as const).map((t) => [`realserver tun ${t}`, spec('realserver', { mode: 'tun', tunType: t, vip: both, dev: 'IFACE' })] as const),
    ...(['nat', 'dr', 'tun'] as const).map((m) => [`director ${m}`, spec('director', { mode: m, vip: both, dev: 'IFACE' })] as const),
    ['director nat without VIPs', spec('director', { mode: 'nat' })],
  ] as const;

  it.each(cases)('%s: every sysctl with its value, module, link and fou port', (_, s) => {
    const d = desiredState(s);
    for (const x of d.sysctls) expect(modes).toContain(`${sysctlName(x.key)} = ${x.value}`);
    for (const m of d.modules) expect(modes).toMatch(wordRe(m.name));
    for (const l of d.links) expect(modes).toMatch(wordRe(l));
    for (const f of d.fouPorts) expect(modes).toContain(`${f.port}`);
    for (const a of d.addresses) expect(modes).toContain(`/${a.prefix}`);
    expect(d.sysctls.length + d.modules.length + d.links.length).toBeGreaterThan(0);
  });
});

describe('state files, the lab and the examples', () => {
  it('names both state files under FILES, as state.ts builds them', () => {
    for (const side of ['realserver', 'director'] as const) {
      expect(section('FILES')).toContain(stateFile(DEFAULT_STATE_DIR, side));
      expect(section('STATE AND UNDO').replace(/\s+/g, ' ')).toContain(stateFile(DEFAULT_STATE_DIR, side));
    }
  });

  it('describes the lab topology with the addresses and names of world.ts', () => {
    const lab = section('LAB');
    for (const a of [LAB_ADDRESSES.director[4], LAB_ADDRESSES.director[6], LAB_ADDRESSES.client[4], LAB_ADDRESSES.client[6]]) {
      expect(lab).toMatch(wordRe(a));
    }
    expect(lab).toMatch(wordRe(BRIDGE));
    expect(lab).toMatch(wordRe(CLIENT_NS));
    expect(lab).toContain('root network namespace');
  });

  it('names the packages the lab needs', () => {
    const packages = LAB_NEEDS.installHint.replace(/^.*install -y /, '').split(' ');
    expect(packages).toEqual(['user-mode-linux', 'kmod', 'iproute2']);
    for (const p of packages) expect(section('LAB')).toMatch(wordRe(p));
  });

  it.each([
    ['nat', false], ['dr', false], ['tun', false], ['nat', true], ['tun', true],
  ] as const)('describes the %s demo table (ipv6 %s) with its addresses', (mode, ipv6) => {
    const rules = demoRules({ mode, ipv6 });
    const lab = section('LAB');
    for (const m of rules.matchAll(/-[tur] (\[[0-9a-f:]+\]|[0-9.]+):(\d+)/g)) {
      expect(lab).toContain(ipv6 ? m[1]!.slice(1, -1) : `${m[1]}:${m[2]}`);
    }
  });

  it('has examples of a DR real server, TUN gue, NAT director, lab with a rules file', () => {
    const examples = section('EXAMPLES').replace(/\s+/g, ' ');
    expect(examples).toContain('ipvsadm realserver up --mode dr --vip');
    expect(examples).toMatch(/ipvsadm realserver up --mode tun --tun-type gue --tun-port \d+/);
    expect(examples).toContain('ipvsadm director up --mode nat --vip');
    expect(examples).toContain('ipvsadm lab --rules ');
  });

  it('ipvsadm.8 refers to this page under SEE ALSO', () => {
    const main = readFileSync(new URL('man/ipvsadm.8', ROOT), 'utf8');
    expect(main.split(/^\.SH "SEE ALSO"$/m)[1]).toContain('.BR ipvsadm\\-realserver (8)');
  });
});
