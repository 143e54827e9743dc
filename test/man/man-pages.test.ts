// Keeps man/*.8 and the -h text complete: every option and command of src/core/option-table.ts is
// documented in both, the SYNOPSIS agrees with the matrix of src/core/matrix.ts, and every page
// renders under `groff -ww` without a warning (groff is required: a missing groff fails here).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { PROCESS_EXIT } from '../../src/app/exit-status.js';
import { TIMEOUT_ENV } from '../../src/app/io.js';
import { describe, expect, it } from 'vitest';
import type { OptionSpec } from '../../src/core/argv.js';
import { formatUsage, VERSION } from '../../src/cli/format/usage.js';
import { cellOf, COMMAND_NAMES, OPTION_NAMES } from '../../src/core/matrix.js';
import type { CommandName, OptionName } from '../../src/core/matrix.js';
import { COMMANDS, isCommandId, OPTION_TABLE, TRACKED_AS } from '../../src/core/option-table.js';
import type { CommandId, OptionId } from '../../src/core/option-table.js';
import { DEFAULT_PERSISTENCE_TIMEOUT, INT_MAX, parseSchedFlags } from '../../src/core/values.js';
import { escapeRe, groff, NO_GROFF, roffText, ROOT, wordRe } from './roff.js';

// ipvsadm-realserver.8 (the subcommands beyond ipvsadm) is checked in detail by realserver-page.test.ts.
const PAGES = ['ipvsadm.8', 'ipvsadm-save.8', 'ipvsadm-restore.8', 'ipvsadm-realserver.8', 'ipvsadm-apply.8', 'ipvsadm-compare.8', 'ipvsadm-drain.8', 'ipvsadm-metrics.8', 'ipvsadm-doctor.8', 'ipvsadm-top.8', 'ipvsadm-director-ready.8', 'ipvsadm-boot.8', 'ipvsadm-completion.8'] as const;
type Page = (typeof PAGES)[number];

const rendered = new Map<Page, string>();
/** The page as plain ASCII with lines so long that every paragraph and SYNOPSIS form is one line. */
function plain(page: Page): string {
  let text = rendered.get(page);
  if (text === undefined) {
    const r = groff(page, ['-man', '-Tascii', '-P-cbou', '-rLL=20000n']);
    expect(r.status, r.stderr).toBe(0);
    text = r.stdout;
    rendered.set(page, text);
  }
  return text;
}

/** Rendered sections by heading (a line that starts in column 0), each as its trimmed non-empty lines. */
function sections(page: Page): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  // Line 1 is the page header; the footer starts in lower case (ipvsadm-ts …) and is no heading.
  for (const line of plain(page).split('\n').slice(1)) {
    if (/^[A-Z]/.test(line)) out.set(line.trim(), (current = []));
    else if (current && line.trim() !== '') current.push(line.trim());
  }
  return out;
}

function section(page: Page, name: string): string[] {
  const lines = sections(page).get(name);
  if (!lines) throw new Error(`man/${page} has no ${name} section`);
  return lines;
}

const source = (page: Page): string => readFileSync(new URL(`man/${page}`, ROOT), 'utf8');


/** `.TP` items of the source sections `sectionNames`: tag text and body text. */
function items(page: Page, sectionNames: readonly string[]): { tag: string; body: string }[] {
  const out: { tag: string; body: string }[] = [];
  let inSection = false;
  let item: { tag: string; body: string[] } | undefined;
  const lines = source(page).split('\n');
  const close = (): void => {
    if (item) out.push({ tag: item.tag, body: item.body.join(' ') });
    item = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const sh = /^\.SH\s+"?([^"]*)"?$/.exec(line);
    if (sh) {
      close();
      inSection = sectionNames.includes(sh[1]!);
    } else if (!inSection) continue;
    else if (line === '.TP') {
      close();
      item = { tag: roffText(lines[++i] ?? ''), body: [] };
    } else if (/^\.(SS|PP|IP|RS|RE)\b/.test(line)) close();
    else if (item && !line.startsWith('.\\"')) item.body.push(roffText(line));
  }
  close();
  return out;
}


const spellings = (spec: OptionSpec<OptionId>): string[] => [
  ...(spec.short !== undefined ? [`-${spec.short}`] : []),
  ...(spec.long !== undefined ? [`--${spec.long}`] : []),
];
const label = (spec: OptionSpec<OptionId>): string => spellings(spec).join(', ');
const ALL_SPELLINGS = OPTION_TABLE.flatMap(spellings);
const BY_SPELLING = new Map(OPTION_TABLE.flatMap((spec) => spellings(spec).map((s) => [s, spec] as const)));
const COMMAND_SPECS = OPTION_TABLE.filter((spec) => isCommandId(spec.id));
const OPTION_SPECS = OPTION_TABLE.filter((spec) => !isCommandId(spec.id));

describe('the option table is the whole of matrix.ts', () => {
  it('tracks every matrix option name by at least one option of the table', () => {
    const tracked = new Set<string | undefined>(Object.values(TRACKED_AS));
    expect(OPTION_NAMES.filter((name) => !tracked.has(name))).toEqual([]);
  });
  it('has a command for every matrix command name', () => {
    const named = new Set<string>(Object.values(COMMANDS));
    expect(COMMAND_NAMES.filter((name) => !named.has(name))).toEqual([]);
  });
});

describe('the pages', () => {
  it('are the four of man/, and package.json "man" installs each of them', () => {
    const files = readdirSync(new URL('man/', ROOT)).filter((f) => /\.\d$/.test(f)).sort();
    expect(files).toEqual([...PAGES].sort());
    const pkg = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { man?: string[] };
    expect([...(pkg.man ?? [])].sort()).toEqual(files.map((f) => `./man/${f}`));
  });
});

describe('groff renders every page without a warning', () => {
  it('finds groff (package groff-base)', () => {
    expect(spawnSync('groff', ['--version'], { encoding: 'utf8' }).error, NO_GROFF).toBeUndefined();
  });

  it.each(PAGES)('%s: groff -ww -man -Tutf8 exits 0 with empty stderr', (page) => {
    const r = groff(page, ['-ww', '-man', '-Tutf8']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(0);
  });

  it.each(PAGES)('%s: the title line carries this package version', (page) => {
    expect(source(page)).toMatch(new RegExp(`^\\.TH \\S+ 8 "[^"]+" "ipvsadm-ts ${escapeRe(VERSION)}" `, 'm'));
  });

  it.each(PAGES)('%s: writes every dash that starts an option as \\- (a copyable minus)', (page) => {
    const bad = source(page)
      .split('\n')
      .map((line, i) => [i + 1, line] as const)
      .filter(([, line]) => !/^\.(\\"|(ti|in|hy|nh|ad|TH|sp|RS|RE|IP|TP|PP|SH|SS)\b)/.test(line))
      .filter(([, line]) => /(^|[\s[{(|,"])-{1,2}[A-Za-z0-9]/.test(line.replace(/\\f(\[[^\]]*\]|\(..|.)/g, ' ')));
    expect(bad.map(([n, line]) => `${page}:${n}: ${line}`)).toEqual([]);
  });
});

describe('ipvsadm.8 and the -h text name every option and command of option-table.ts', () => {
  const usage = formatUsage('ipvsadm');

  it.each(ALL_SPELLINGS)('%s is in the -h text', (word) => {
    expect(usage).toMatch(wordRe(word));
  });

  it.each(ALL_SPELLINGS)('%s is in the rendered ipvsadm.8', (word) => {
    expect(plain('ipvsadm.8')).toMatch(wordRe(word));
  });

  const tagOf = (spec: OptionSpec<OptionId>, sectionName: string): string | undefined =>
    items('ipvsadm.8', [sectionName]).find(({ tag }) => spellings(spec).every((s) => wordRe(s).test(tag)))?.tag;

  it.each(COMMAND_SPECS.map((spec) => [label(spec), spec] as const))('COMMANDS has an item for %s', (_, spec) => {
    expect(tagOf(spec, 'COMMANDS')).toBeDefined();
  });

  it.each(OPTION_SPECS.map((spec) => [label(spec), spec] as const))('OPTIONS has an item for %s', (_, spec) => {
    expect(tagOf(spec, 'OPTIONS')).toBeDefined();
  });

  const withArgument = OPTION_TABLE.filter((spec) => spec.arg !== 'none');
  it.each(withArgument.map((spec) => [label(spec), spec] as const))('the item of %s shows its argument', (_, spec) => {
    const section = isCommandId(spec.id) ? 'COMMANDS' : 'OPTIONS';
    const tag = tagOf(spec, section) ?? '';
    const rest = spellings(spec).reduce((t, s) => t.replace(s, ''), tag).replace(/[\s,]/g, '');
    expect(rest, tag).not.toBe('');
    if (spec.arg === 'optional') expect(tag, 'an optional argument is shown in brackets').toMatch(/\[.+\]/);
  });
});

describe('ipvsadm.8 states the defaults and ranges of the code', () => {
  const body = (word: string): string =>
    items('ipvsadm.8', ['COMMANDS', 'OPTIONS']).find(({ tag }) => wordRe(word).test(tag))?.body ?? '';

  it.each([
    ['-p', `without a value it is ${DEFAULT_PERSISTENCE_TIMEOUT}`],
    ['-p', '1 to 2678400'],
    ['-w', `0 to ${INT_MAX}`],
    ['-w', 'default 1'],
    ['-x', `0 to ${INT_MAX}`],
    ['-y', `0 to ${INT_MAX}`],
    ['-s', 'default wlc'],
    ['-g', 'the default'],
    ['-f', '1 to 4294967295'],
    ['--syncid', '0 to 255; default 0'],
    ['--mcast-interface', 'eth0'],
    ['--mcast-port', '1 to 65535'],
    ['--mcast-ttl', '1 to 255'],
    ['--sync-maxlen', '1 to 65507'],
    ['--tun-port', '1 to 65535'],
    ['--tun-port', 'Required with gue'],
    ['--tun-remcsum', 'gue only'],
    ['--set', '0 to 2678400'],
  ])('the item of %s says "%s"', (word, fact) => {
    expect(body(word).replace(/\s+/g, ' ')).toContain(fact);
  });

  it('says which tunnel type takes which tunnel option', () => {
    const tunType = body('--tun-type');
    for (const type of ['ipip', 'gue', 'gre']) expect(tunType).toMatch(wordRe(type));
    expect(body('--tun-csum')).toContain('gue and gre');
    expect(body('--tun-nocsum')).toContain('gue and gre');
  });

  it('lists the scheduler flag names the parser accepts, and only those', () => {
    const def = section('ipvsadm.8', 'SYNOPSIS').find((l) => l.startsWith('FLAG :='));
    const names = (def ?? '').replace(/^FLAG := \{|\}$/g, '').split('|').map((s) => s.trim());
    expect(names).toEqual(['flag-1', 'flag-2', 'flag-3', 'sh-fallback', 'sh-port', 'mh-fallback', 'mh-port']);
    const accepts = (name: string): boolean =>
      ['wlc', 'sh', 'mh'].some((sched) => {
        try {
          return parseSchedFlags(name, sched) !== 0;
        } catch {
          return false;
        }
      });
    expect(names.filter((n) => !accepts(n))).toEqual([]);
  });

  it('has an EXIT STATUS item for 0, 1, 2, 255 and the broken-pipe status', () => {
    expect(items('ipvsadm.8', ['EXIT STATUS']).map(({ tag }) => tag)).toEqual(['0', '1', '2', '255', String(PROCESS_EXIT.INTERNAL_ERROR), String(PROCESS_EXIT.BROKEN_PIPE)]);
  });

  it('names the environment variables the code reads', () => {
    const env = section('ipvsadm.8', 'ENVIRONMENT').join('\n');
    for (const name of ['PATH', TIMEOUT_ENV, 'IPVSADM_DEBUG']) expect(env).toContain(name);
  });

  it('has the sections of a complete page', () => {
    const names = [...sections('ipvsadm.8').keys()];
    for (const s of ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'COMMANDS', 'OPTIONS', 'SCHEDULERS', 'LISTINGS', 'SAVE FORMAT',
      'RESTORE', 'EXIT STATUS', 'ENVIRONMENT', 'FILES', 'EXAMPLES', 'COMPATIBILITY', 'SEE ALSO']) {
      expect(names).toContain(s);
    }
    const files = section('ipvsadm.8', 'FILES').join('\n');
    for (const f of ['/proc/net/ip_vs_conn', '/etc/services', '/etc/hosts']) expect(files).toContain(f);
  });

  it('lists as many deliberate differences as the README table', () => {
    const readme = readFileSync(new URL('README.md', ROOT), 'utf8');
    const table = readme.split('### Deliberate differences')[1]?.split(/\n#/)[0] ?? '';
    const rows = table.split('\n').filter((l) => l.startsWith('|')).length - 2;
    const compat = source('ipvsadm.8').split(/^\.SH COMPATIBILITY$/m)[1]?.split(/^\.SH /m)[0] ?? '';
    const bullets = compat.split('\n').filter((l) => l.startsWith('.IP \\(bu')).length;
    expect(rows).toBeGreaterThan(0);
    expect(bullets, 'man/ipvsadm.8 COMPATIBILITY: one bullet per row of the README table').toBe(rows);
  });
});

/** Command forms of a synopsis, each as option spellings, with `NAME := …` definitions expanded. */
function synopsisForms(forms: readonly string[], definitions: ReadonlyMap<string, readonly string[]>): string[][] {
  const expand = (tokens: readonly string[]): string[] =>
    tokens.flatMap((t) => (definitions.has(t) ? expand(definitions.get(t)!) : [t]));
  return forms.map((form) => expand(form.split(/[\s{}[\]|]+/).filter((t) => t !== '')).filter((t) => t.startsWith('-')));
}

/** Options that a command accepts but its synopsis need not show (accepted and ignored). */
const NOT_SHOWN: Partial<Record<CommandName, readonly OptionName[]>> = { list: ['syncid'] };

/** Problems between synopsis forms and the matrix: unknown words, illegal options, missing ones. */
function checkAgainstMatrix(forms: readonly string[][]): string[] {
  const problems: string[] = [];
  const shown = new Map<CommandId, Set<OptionName>>();
  for (const words of forms) {
    const unknown = words.filter((w) => !BY_SPELLING.has(w));
    if (unknown.length > 0) problems.push(`unknown option ${unknown.join(' ')} in: ${words.join(' ')}`);
    const specs = words.flatMap((w) => BY_SPELLING.get(w) ?? []);
    const commands = [...new Set(specs.map((s) => s.id).filter(isCommandId))];
    if (commands.length === 0) problems.push(`no command in: ${words.join(' ')}`);
    for (const id of commands) {
      const set = shown.get(id) ?? new Set<OptionName>();
      shown.set(id, set);
      for (const spec of specs) {
        if (isCommandId(spec.id)) continue;
        const name = TRACKED_AS[spec.id];
        if (name === undefined) continue;
        set.add(name);
        const cmd = COMMANDS[id];
        if (cmd !== 'help' && cmd !== 'version' && cellOf(cmd, name) === 'x') {
          problems.push(`${spellings(spec).join('/')} is shown with ${cmd}, which the matrix forbids`);
        }
      }
    }
  }
  for (const id of Object.keys(COMMANDS) as CommandId[]) {
    const cmd = COMMANDS[id];
    const set = shown.get(id);
    if (!set) {
      problems.push(`no form for the ${id} command`);
      continue;
    }
    if (cmd === 'help' || cmd === 'version') continue;
    for (const name of OPTION_NAMES) {
      if (cellOf(cmd, name) !== 'x' && !set.has(name) && !NOT_SHOWN[cmd]?.includes(name)) {
        problems.push(`the ${cmd} command accepts '${name}' but no form shows it`);
      }
    }
  }
  return problems;
}

describe('the SYNOPSIS agrees with the option matrix', () => {
  it('ipvsadm.8: every command has a form, with exactly the options the matrix allows it', () => {
    const lines = section('ipvsadm.8', 'SYNOPSIS');
    const definitions = new Map(
      lines.flatMap((l) => {
        const m = /^(\S+) := (.*)$/.exec(l);
        return m ? [[m[1]!, m[2]!.split(/[\s{}[\]|]+/).filter((t) => t !== '')] as const] : [];
      }),
    );
    expect([...definitions.keys()]).toContain('SERVICE');
    const forms = lines.filter((l) => l.startsWith('ipvsadm '));
    expect(checkAgainstMatrix(synopsisForms(forms, definitions))).toEqual([]);
  });

  it('the -h usage lines: every command has a form, with exactly the options the matrix allows it', () => {
    const text = formatUsage('ipvsadm');
    const usage = text.split('\nUsage:\n')[1]?.split('\n\n')[0] ?? '';
    const forms: string[] = [];
    for (const line of usage.split('\n')) {
      if (line.startsWith('  ipvsadm ')) forms.push(line);
      else forms[forms.length - 1] += ` ${line}`;
    }
    const serviceRows = text.split('\nSERVICE is one of:\n')[1]?.split('\n\n')[0] ?? '';
    const service = serviceRows.split(/[\s,]+/).filter((w) => BY_SPELLING.has(w));
    expect(service.length).toBeGreaterThan(0);
    expect(checkAgainstMatrix(synopsisForms(forms, new Map([['SERVICE', service]])))).toEqual([]);
  });

  it('checks something: a form with an illegal option, or a command without a form, is reported', () => {
    const forms = synopsisForms(['ipvsadm -D SERVICE -w 1'], new Map([['SERVICE', ['-t']]]));
    const problems = checkAgainstMatrix(forms);
    expect(problems).toContain('-w/--weight is shown with delete-service, which the matrix forbids');
    expect(problems).toContain('no form for the add-service command');
  });
});

describe('ipvsadm-save.8 and ipvsadm-restore.8', () => {
  it('ipvsadm-save.8 shows -n and --json in its SYNOPSIS and documents them as options', () => {
    expect(section('ipvsadm-save.8', 'SYNOPSIS')).toEqual(['ipvsadm-save [ -n ] [ --json ]']);
    expect(items('ipvsadm-save.8', ['OPTIONS']).map(({ tag }) => tag)).toEqual(['-n', '--json']);
  });

  it('ipvsadm-restore.8 says that the table is cleared first and that # lines are dropped', () => {
    const text = section('ipvsadm-restore.8', 'DESCRIPTION').join(' ');
    expect(text).toContain('ipvsadm -C');
    expect(text).toMatch(/drops the lines whose first character is #/);
  });

  it.each(['ipvsadm-save.8', 'ipvsadm-restore.8'] as const)('%s has EXIT STATUS, EXAMPLES and SEE ALSO', (page) => {
    for (const s of ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'EXIT STATUS', 'EXAMPLES', 'SEE ALSO']) {
      expect([...sections(page).keys()]).toContain(s);
    }
  });
});
