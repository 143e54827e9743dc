// The import graph of src/, read by dpdm (type-only and dynamic imports included): no cycle, every
// relative import resolves, and the lower layers import only what is below them (netlink ←
// ipvs ← app, the process port below every front end; netlink ← rtnl ← app; ipvs ← table, the
// model's pure views). A fixture with a cycle proves the check.
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

/** What each lower layer may import besides itself. */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  netlink: [],
  ipvs: ['netlink'],
  rtnl: ['netlink'],
  app: ['ipvs', 'netlink', 'rtnl'],
  table: ['ipvs'],
};

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

  it('keeps netlink, ipvs, rtnl, app and table below everything else', () => {
    const wrong = edges
      .filter((d) => d.id?.startsWith('src/') && MAY_IMPORT[layerOf(d.issuer)])
      .filter((d) => layerOf(d.id!) !== layerOf(d.issuer) && !MAY_IMPORT[layerOf(d.issuer)]!.includes(layerOf(d.id!)))
      .map((d) => `${d.issuer} → ${d.id}`);
    expect(wrong).toEqual([]);
  });
});

describe('the check itself', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-graph-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('finds a cycle made of a type-only import and a dynamic import', async () => {
    fs.mkdirSync(path.join(dir, 'src/a'), { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'tsconfig.json'), path.join(dir, 'tsconfig.json'));
    fs.writeFileSync(path.join(dir, 'src/a/one.ts'), "import type { Two } from './two.js';\nexport type One = Two;\n");
    fs.writeFileSync(path.join(dir, 'src/a/two.ts'), "export type Two = number;\nexport const load = () => import('./one.js');\n");
    expect(parseCircular(await graphOf(dir)).map((c) => [...c].sort())).toEqual([['src/a/one.ts', 'src/a/two.ts']]);
  });
});
