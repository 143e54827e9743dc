// The repository explains itself: no tracked file under src/, test/, man/ or README.md points to
// notes kept outside it (a numbered section of an observation file, a shared folder, lab notes).
// The facts the code relies on are written where it handles them. Planted texts prove the matcher.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHECKED = ['src', 'test', 'man', 'README.md'];

// Built from pieces so that this file does not match itself.
const SECTION = '\u00a7';
const OUTSIDE_POINTERS: readonly RegExp[] = [
  new RegExp(`spec\\s*${SECTION}`, 'i'),
  new RegExp(`${SECTION}\\s*\\d`),
  new RegExp(['', 'work', 'shared'].join('/')),
  new RegExp(['kernel-lab-notes', 'md'].join('\\.')),
  new RegExp(['ipvsadm-1', '31-spec'].join('\\.')),
];

/** The pointers found in a text, each as `line: excerpt`. */
function outsidePointers(text: string): string[] {
  return text.split('\n').flatMap((line, i) =>
    OUTSIDE_POINTERS.some((re) => re.test(line)) ? [`${i + 1}: ${line.trim()}`] : [],
  );
}

function walk(rel: string): string[] {
  const abs = path.join(ROOT, rel);
  if (!fs.existsSync(abs)) return [];
  if (!fs.statSync(abs).isDirectory()) return [rel];
  return fs.readdirSync(abs).flatMap((name) => walk(path.join(rel, name)));
}

/** Tracked files under the checked paths (every file there when git is not available). */
function checkedFiles(): string[] {
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--', ...CHECKED], { cwd: ROOT, encoding: 'utf8' });
    return out.split('\0').filter((f) => f !== '');
  } catch {
    return CHECKED.flatMap(walk);
  }
}

describe('no pointer outside the repository', () => {
  it.each([
    ['a numbered section of the notes', `// widths from 1.31, spec ${SECTION}9.2`],
    ['a bare section number', `/** ${SECTION}6.3: -a/-e only */`],
    ['the shared folder', `// Source of truth: /work/${'shared'}/notes.md`],
    ['the lab notes', `// checked by hand (kernel-lab-notes${'.md'})`],
    ['the notes file by name', `collected in ipvsadm-1.31-${'spec'}.md`],
  ])('the matcher finds %s', (_what, planted) => {
    expect(outsidePointers(`// a clean line\n${planted}\n`)).toEqual([`2: ${planted.trim()}`]);
  });

  it('the matcher leaves facts written in our own words alone', () => {
    expect(outsidePointers("// 1.31 prints each timeout as a C int\nconst spec = parse('-s rr');\n")).toEqual([]);
  });

  it('src/, test/, man/ and README.md hold none', () => {
    const files = checkedFiles();
    expect(files.length).toBeGreaterThan(100);
    const found = files.flatMap((f) => outsidePointers(fs.readFileSync(path.join(ROOT, f), 'utf8')).map((hit) => `${f}:${hit}`));
    expect(found).toEqual([]);
  });
});
