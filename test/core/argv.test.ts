// The popt-compatible tokenizer, over ipvsadm's own option table (popt 1.19's semantics as 1.31 uses them).
import { describe, expect, it } from 'vitest';
import { PoptTokenizer } from '../../src/core/argv.js';
import type { OptionSpec, Token } from '../../src/core/argv.js';
import { OPTION_TABLE } from '../../src/core/option-table.js';

/** Every token up to and including `end` or the first `error`, written compactly. */
function run<Id extends string>(argv: string[], table: readonly OptionSpec<Id>[] = OPTION_TABLE as never) {
  const t = new PoptTokenizer(table, argv);
  const out: string[] = [];
  for (;;) {
    const tok: Token<Id> = t.next();
    if (tok.kind === 'end') return { tokens: out, positionals: [...t.positionals()] };
    if (tok.kind === 'error') return { tokens: [...out, `ERR ${tok.word}: ${tok.problem}`], positionals: [...t.positionals()] };
    out.push(tok.arg === undefined ? `${tok.id} @${tok.word}` : `${tok.id}=${JSON.stringify(tok.arg)} @${tok.word}`);
  }
}

describe('PoptTokenizer: options and their arguments', () => {
  it.each([
    [['-Ln'], ['list @-Ln', 'numeric @-Ln']],
    [['-l'], ['list @-l']],
    [['-Lcn'], ['list @-Lcn', 'connection @-Lcn', 'numeric @-Lcn']],
    [['-At', '192.0.2.19:80'], ['add-service @-At', 'tcp-service="192.0.2.19:80" @192.0.2.19:80']],
    [['-sp'], ['scheduler="p" @-sp']],
    [['-t192.0.2.20:80'], ['tcp-service="192.0.2.20:80" @-t192.0.2.20:80']],
    [['-t=192.0.2.1:80'], ['tcp-service="192.0.2.1:80" @-t=192.0.2.1:80']],
    [['-t==x'], ['tcp-service="=x" @-t==x']],
    [['--tcp-service', '192.0.2.1:80'], ['tcp-service="192.0.2.1:80" @192.0.2.1:80']],
    [['--tcp-service=192.0.2.1:80'], ['tcp-service="192.0.2.1:80" @--tcp-service=192.0.2.1:80']],
    [['--scheduler='], ['scheduler="" @--scheduler=']],
    [['-f', '-1'], ['fwmark-service="-1" @-1']],
    [['-s', '--'], ['scheduler="--" @--']],
    [['-s', ''], ['scheduler="" @']],
    [['--start-daemon', 'master'], ['start-daemon="master" @master']],
    [['--start-daemon=backup'], ['start-daemon="backup" @--start-daemon=backup']],
    [['-X', '-6', '-o', '-b', 'flag-1'], ['exact @-X', 'ipv6 @-6', 'ops @-o', 'sched-flags="flag-1" @flag-1']],
  ])('%j', (argv, expected) => {
    expect(run(argv).tokens).toEqual(expected);
  });
});

describe('PoptTokenizer: -p takes an optional argument', () => {
  it.each([
    [['-p', '300'], ['persistent="300" @300']],
    [['-p300'], ['persistent="300" @-p300']],
    [['-p=300'], ['persistent="300" @-p=300']],
    [['--persistent=300'], ['persistent="300" @--persistent=300']],
    [['--persistent='], ['persistent="" @--persistent=']],
    [['-p', 'foo'], ['persistent="foo" @foo']],
    [['-p', ''], ['persistent="" @']],
    [['-p'], ['persistent @-p']],
    [['--persistent'], ['persistent @--persistent']],
    [['-p', '-n'], ['persistent @-p', 'numeric @-n']],
    [['-p', '-5'], ['persistent @-p', 'ERR -5: unknown option']],
    [['-pn'], ['persistent="n" @-pn']],
  ])('%j', (argv, expected) => {
    expect(run(argv).tokens).toEqual(expected);
  });

  it('leaves a lone "-" after -p as a positional word', () => {
    expect(run(['-p', '-'])).toEqual({ tokens: ['persistent @-p'], positionals: ['-'] });
  });
});

describe('PoptTokenizer: errors carry the argv word as popt reports it', () => {
  it.each([
    [['--foo'], 'ERR --foo: unknown option'],
    [['--add'], 'ERR --add: unknown option'],
    [['--tcp', 'x'], 'ERR --tcp: unknown option'],
    [['--t'], 'ERR --t: unknown option'],
    [['-5'], 'ERR -5: unknown option'],
    [['-Lq'], 'ERR -Lq: unknown option'],
    [['-=x'], 'ERR -=x: unknown option'],
    [['--=x'], 'ERR --=x: unknown option'],
    [['---list'], 'ERR ---list: unknown option'],
    [['-é'], 'ERR -é: unknown option'],
    [['-add-service'], 'ERR -add-service: unknown option'],
    [['-t'], 'ERR -t: missing argument'],
    [['-At'], 'ERR -At: missing argument'],
    [['--start-daemon'], 'ERR --start-daemon: missing argument'],
    [['--numeric=foo'], 'ERR --numeric=foo: option does not take an argument'],
    [['--numeric='], 'ERR --numeric=: option does not take an argument'],
    [['-n=foo'], 'ERR -n=foo: option does not take an argument'],
    [['-Ln=foo'], 'ERR -Ln=foo: option does not take an argument'],
  ])('%j', (argv, expected) => {
    expect(run(argv).tokens.at(-1)).toBe(expected);
  });

  it('stops at -a inside "-add-service" only after reading -a and -d', () => {
    // One dash never selects a long option: the word is a cluster of short ones.
    expect(run(['-add-service']).tokens).toEqual([
      'add-server @-add-service',
      'delete-server @-add-service',
      'delete-server @-add-service',
      'ERR -add-service: unknown option',
    ]);
  });
});

describe('PoptTokenizer: positional words', () => {
  it('permutes positional words out of the option stream', () => {
    expect(run(['1', '--set', '2', '3'])).toEqual({ tokens: ['set @--set'], positionals: ['1', '2', '3'] });
  });

  it('treats "-" and the empty word as positional', () => {
    expect(run(['-L', '-', ''])).toEqual({ tokens: ['list @-L'], positionals: ['-', ''] });
  });

  it('makes every word after "--" positional', () => {
    expect(run(['-A', '--', '-s', '--', 'rr'])).toEqual({ tokens: ['add-service @-A'], positionals: ['-s', '--', 'rr'] });
  });

  it('does not treat a consumed argument as positional', () => {
    expect(run(['-s', 'rr', 'x']).positionals).toEqual(['x']);
  });
});

describe('PoptTokenizer over another table', () => {
  const table: OptionSpec<'v' | 'o' | 'q'>[] = [
    { id: 'v', long: 'verbose', short: 'v', arg: 'none' },
    { id: 'o', long: 'out', short: 'o', arg: 'required' },
    { id: 'q', short: 'q', arg: 'optional' },
  ];

  it('knows only the options it was given', () => {
    expect(run(['-vq', '--out', 'f', '-L'], table).tokens).toEqual(['v @-vq', 'q @-vq', 'o="f" @f', 'ERR -L: unknown option']);
  });

  it('reports end of input after the last option', () => {
    const t = new PoptTokenizer(table, ['-v']);
    expect(t.next().kind).toBe('option');
    expect(t.next()).toEqual({ kind: 'end' });
    expect(t.next()).toEqual({ kind: 'end' });
  });
});
