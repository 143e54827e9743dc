// The import graph of src/, read by dpdm (type-only and dynamic imports included): no cycle, every
// relative import resolves, and every folder of src/ has its place: a lower folder imports only
// the lower folders below it (LOWER, in order), a command folder imports any lower folder but never
// another command folder, and the entry imports anything. Fixtures prove the checks.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCircular, parseDependencyTree } from 'dpdm';
import type { DependencyTree } from 'dpdm';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The graph of root/src, with root/tsconfig.json's module resolution (`./x.js` is `./x.ts`). */
async function graphOf(root: string): Promise<DependencyTree> {
  const tsconfig = path.join(root, 'tsconfig.json');
  return parseDependencyTree('src/**/*.ts', { context: root, cwd: root, tsconfig, transform: false, skipDynamicImports: false });
}

function sourcesUnder(dir: string, rel = 'src'): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return sourcesUnder(path.join(dir, e.name), `${rel}/${e.name}`);
    return e.name.endsWith('.ts') ? [`${rel}/${e.name}`] : [];
  });
}

/** src directory of a file ('src/ipvs/client.ts' → 'ipvs'). */
const layerOf = (file: string): string => file.split('/')[1] ?? '';

/** The lower folders, lowest first: each may import the ones before it, never one after it. */
const LOWER = ['netlink', 'ipvs', 'rtnl', 'fields', 'table', 'save', 'host', 'app', 'core', 'prep'] as const;
/** The front ends: each may import any lower folder, never another front end. */
const COMMANDS = ['cli', 'apply', 'compare', 'drain', 'top', 'metrics', 'doctor', 'realserver', 'ready', 'lab', 'completion'] as const;
/** Above everything: the programs and the command table. */
const ENTRY = ['entry'] as const;

/**
 * Command → command imports that are being removed, each with its reason. Nothing else may join;
 * an entry whose import is gone must leave (the test says so).
 */
const ALLOWED_FOR_NOW: readonly { readonly from: string; readonly to: string }[] = [];

const rank = (layer: string): number => (LOWER as readonly string[]).indexOf(layer);
const isCommand = (layer: string): boolean => (COMMANDS as readonly string[]).includes(layer);

/** Whether `from` may import `to` (two folders of src/). */
function mayImport(from: string, to: string): boolean {
  if (from === to || (ENTRY as readonly string[]).includes(from)) return true;
  if (rank(from) >= 0) return rank(to) >= 0 && rank(to) < rank(from);
  if (isCommand(from)) return rank(to) >= 0 || ALLOWED_FOR_NOW.some((a) => a.from === from && a.to === to);
  return false;
}

/** The folder-to-folder imports of a graph that break the rule, as `issuer → imported`. */
function wrongImports(tree: DependencyTree): string[] {
  return Object.values(tree)
    .flatMap((deps) => deps ?? [])
    .filter((d) => d.id?.startsWith('src/') && !mayImport(layerOf(d.issuer), layerOf(d.id)))
    .map((d) => `${d.issuer} → ${d.id}`);
}

describe('the import graph of src/', async () => {
  const tree = await graphOf(ROOT);
  const edges = Object.values(tree).flatMap((deps) => deps ?? []);

  it('has every module of src/ and every relative import resolved', () => {
    const modules = Object.keys(tree).filter((f) => f.startsWith('src/'));
    expect(modules.sort()).toEqual(sourcesUnder(path.join(ROOT, 'src')).sort());
    expect(edges.filter((d) => d.request.startsWith('.') && d.id === null)).toEqual([]);
  });

  it('has no cycle', () => {
    expect(parseCircular(tree)).toEqual([]);
  });

  it('places every folder of src/ with TypeScript in it: lower, command or entry', () => {
    const folders = [...new Set(sourcesUnder(path.join(ROOT, 'src')).map(layerOf))].sort();
    expect(folders.filter((f) => rank(f) < 0 && !isCommand(f) && !(ENTRY as readonly string[]).includes(f))).toEqual([]);
  });

  it('keeps each lower folder below the next, and each command folder apart from the others', () => {
    expect(wrongImports(tree)).toEqual([]);
  });

  it('still needs every command → command import it allows for now', () => {
    const used = (a: { from: string; to: string }): boolean => edges.some((d) => d.id !== null && layerOf(d.issuer) === a.from && layerOf(d.id) === a.to);
    expect(ALLOWED_FOR_NOW.filter((a) => !used(a))).toEqual([]);
  });
});

describe('the check itself', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-graph-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const fixture = (files: Record<string, string>): void => {
    fs.rmSync(path.join(dir, 'src'), { recursive: true, force: true });
    fs.copyFileSync(path.join(ROOT, 'tsconfig.json'), path.join(dir, 'tsconfig.json'));
    for (const [file, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    }
  };

  it('finds a cycle made of a type-only import and a dynamic import', async () => {
    fixture({
      'src/a/one.ts': "import type { Two } from './two.js';\nexport type One = Two;\n",
      'src/a/two.ts': "export type Two = number;\nexport const load = () => import('./one.js');\n",
    });
    expect(parseCircular(await graphOf(dir)).map((c) => [...c].sort())).toEqual([['src/a/one.ts', 'src/a/two.ts']]);
  });

  it('finds a command folder importing another (a type-only import), and a lower folder importing one above it', async () => {
    fixture({
      'src/core/clock.ts': 'export type Ms = number;\n',
      'src/top/run.ts': "import type { Ms } from '../core/clock.js';\nexport const every: Ms = 1000;\n",
      'src/drain/cli.ts': "import type { every } from '../top/run.js';\nexport type Every = typeof every;\n",
      'src/ipvs/model.ts': "import { every } from '../top/run.js';\nexport const again = every;\n",
      'src/entry/programs.ts': "export { every } from '../top/run.js';\n",
    });
    expect(wrongImports(await graphOf(dir)).sort()).toEqual(['src/drain/cli.ts → src/top/run.ts', 'src/ipvs/model.ts → src/top/run.ts']);
  });
});
