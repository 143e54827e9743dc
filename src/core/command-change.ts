// The commands that change the kernel and the Change each stands for: a modifying Command has the
// kind and the fields of its Change (checked at compile time), so the change is a rename. Used by
// the 1.31 front end (one line, -R) and by anything that loads rules through the grammar.
import { CHANGE_CMD } from '../ipvs/changes.js';
import type { Change } from '../ipvs/changes.js';
import type { Command } from './command.js';

/** The commands that change the kernel: each one's kind is the op of the Change it stands for. */
export type Modifying = Extract<Command, { kind: Change['op'] }>;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
/** The Change whose op is K (some share a member: `op: 'add-dest' | 'edit-dest' | ...`). */
type ChangeWith<K> = Change extends infer C ? (C extends { readonly op: infer O } ? (K extends O ? C : never) : never) : never;
/** Compile-time proof that changeOf is a rename: each modifying command has its change's fields. */
export type ModifyingIsChange = Assert<{ [K in Change['op']]: Same<Omit<Extract<Command, { kind: K }>, 'kind'>, Omit<ChangeWith<K>, 'op'>> }[Change['op']]>;

/** The kernel change a modifying command stands for: the same fields under the same name. */
export function changeOf(cmd: Modifying): Change {
  const { kind: op, ...fields } = cmd;
  return { op, ...fields } as Change;
}

export function isModifying(cmd: Command): cmd is Modifying {
  return Object.hasOwn(CHANGE_CMD, cmd.kind);
}
