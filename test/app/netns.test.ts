// splitNetns: `--netns X` / `--netns=X` taken out of argv wherever it stands (not after `--`),
// a name under /run/netns or a path, and the mistakes named.
import { describe, expect, it } from 'vitest';
import { NETNS_DIR, splitNetns } from '../../src/app/netns.js';

describe('splitNetns', () => {
  it('leaves argv alone without --netns', () => {
    expect(splitNetns(['-Ln', '--stats'])).toEqual({ argv: ['-Ln', '--stats'] });
  });

  it('takes it out anywhere, as a path or a name, and stops at --', () => {
    expect(splitNetns(['-Ln', '--netns', '/proc/self/ns/net', '--json'])).toEqual({ argv: ['-Ln', '--json'], netns: '/proc/self/ns/net' });
    expect(splitNetns([`--netns=/proc/${process.pid}/ns/net`, 'apply', 'f'])).toEqual({ argv: ['apply', 'f'], netns: `/proc/${process.pid}/ns/net` });
    expect(splitNetns(['apply', '--', '--netns', 'x'])).toEqual({ argv: ['apply', '--', '--netns', 'x'] });
  });

  it('names what is wrong', () => {
    expect(splitNetns(['-Ln', '--netns'])).toEqual({ error: '--netns: expected a namespace name (under /run/netns) or a path' });
    expect(splitNetns(['--netns', 'a b'])).toEqual({ error: '--netns a b: not a namespace name or path' });
    expect(splitNetns(['--netns', '..'])).toEqual({ error: '--netns ..: not a namespace name or path' });
    expect(splitNetns(['--netns', 'ghost-ns-0'])).toEqual({ error: `--netns ghost-ns-0: no such network namespace (${NETNS_DIR}/ghost-ns-0)` });
    expect(splitNetns(['--netns=/proc/self/ns/net', '--netns', '/proc/self/ns/net'])).toEqual({ error: '--netns: given twice' });
  });
});
