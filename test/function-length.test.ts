// No function in src/ runs over 80 lines (from its first token to its closing brace): a longer
// one is split into named helpers. Parsed with the TypeScript 5 compiler API that dpdm (the
// import-graph test's reader) depends on; the project's own compiler has no JS API. A planted
// long function proves the check.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAX_LINES = 80;

/** The few parts of the TypeScript 5 compiler API used here (its types are not installed). */
interface Node {
  readonly parent: Node;
  readonly name?: Node;
  readonly body?: Node;
  getStart(sf: SourceFile): number;
  getEnd(): number;
  getText(sf: SourceFile): string;
}
interface SourceFile extends Node {
  getLineAndCharacterOfPosition(pos: number): { line: number };
}
interface CompilerApi {
  readonly ScriptTarget: { readonly Latest: number };
  createSourceFile(file: string, text: string, target: number, setParents: boolean): SourceFile;
  forEachChild(n: Node, visit: (child: Node) => void): void;
  isFunctionLike(n: Node): boolean;
  isVariableDeclaration(n: Node): boolean;
  isPropertyAssignment(n: Node): boolean;
}

const requireHere = createRequire(import.meta.url);
const ts = createRequire(requireHere.resolve('dpdm'))('typescript') as CompilerApi;

function sourcesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourcesUnder(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** `name (N lines) at line L` for every function with a body longer than `max` lines. */
function longFunctions(file: string, text: string, max = MAX_LINES): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const lineOf = (pos: number): number => sf.getLineAndCharacterOfPosition(pos).line + 1;
  const visit = (n: Node): void => {
    if (ts.isFunctionLike(n) && n.body) {
      const first = lineOf(n.getStart(sf));
      const lines = lineOf(n.getEnd()) - first + 1;
      if (lines > max) found.push(`${nameOf(n, sf)} (${lines} lines) at line ${first}`);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

function nameOf(n: Node, sf: SourceFile): string {
  if (n.name) return n.name.getText(sf);
  if (ts.isVariableDeclaration(n.parent) || ts.isPropertyAssignment(n.parent)) return n.parent.name?.getText(sf) ?? '<anonymous>';
  return '<anonymous>';
}

describe('function length', () => {
  const body = (n: number): string => Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join('\n');

  it('finds a planted long function, arrow or method', () => {
    const planted = [
      `export function tooLong(): void {\n${body(79)}\n}`,
      `const arrow = (): void => {\n${body(79)}\n};`,
      `class K {\n  method(): void {\n${body(79)}\n  }\n}`,
    ].join('\n');
    expect(longFunctions('planted.ts', planted)).toEqual(['tooLong (81 lines) at line 1', 'arrow (81 lines) at line 82', 'method (81 lines) at line 164']);
  });

  it('lets a function of exactly the limit pass', () => {
    expect(longFunctions('planted.ts', `function fits(): void {\n${body(78)}\n}`)).toEqual([]);
  });

  it(`no function in src/ is over ${MAX_LINES} lines`, () => {
    const files = sourcesUnder(path.join(ROOT, 'src'));
    expect(files.length).toBeGreaterThan(100);
    const found = files.flatMap((f) => longFunctions(f, fs.readFileSync(f, 'utf8')).map((hit) => `${path.relative(ROOT, f)}: ${hit}`));
    expect(found).toEqual([]);
  });
});
