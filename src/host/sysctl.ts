// Kernel sysctls read and written as files under an injectable root (default /proc/sys, which
// shows the network namespace of the reading process). The only module that touches /proc/sys:
// preparation reads and writes through a SysctlStore, drain and doctor read by dotted name.
// Effective values follow include/linux/inetdevice.h: IN_DEV_MAXCONF for arp_ignore,
// arp_announce and rp_filter, i.e. max(conf/all, conf/<dev>).
import { constants as fsConstants } from 'node:fs';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const PROC_SYS = '/proc/sys';

/**
 * A sysctl value: one integer, or several as text with single spaces (`3 50`, as
 * net.ipv4.vs.sync_threshold holds them; the kernel prints them tab-separated).
 */
export type SysctlValue = number | string;

export interface SysctlStore {
  /** The value, or undefined when the key does not exist (no such device, no IPv6, module not loaded). */
  read(key: string): Promise<SysctlValue | undefined>;
  write(key: string, value: SysctlValue): Promise<void>;
}

/** A store over files `<root>/<key>`; keys are slash paths such as `net/ipv4/ip_forward`. */
export function fileSysctls(root = PROC_SYS): SysctlStore {
  return {
    async read(key) {
      let text: string;
      try {
        text = await readFile(join(root, checkKey(key)), 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
      const value = valueOf(text);
      if (value === undefined) throw new Error(`${sysctlName(key)}: not an integer: ${JSON.stringify(text.trim())}`);
      return value;
    },
    async write(key, value) {
      // No O_CREAT: a missing key must fail (ENOENT), never become a new file under a test root.
      // O_TRUNC (as sysctl(8) opens with "w"): without it a shorter value over a longer one in a
      // regular file leaves the old tail behind ("2\n24\n"); /proc/sys ignores it.
      await writeFile(join(root, checkKey(key)), `${value}\n`, { flag: fsConstants.O_WRONLY | fsConstants.O_TRUNC });
    },
  };
}

const integerOf = (text: string): number | undefined => {
  const value = Number.parseInt(text.trim(), 10);
  return Number.isFinite(value) ? value : undefined;
};

/** One integer as a number, several (whitespace-separated) as normalized text, else undefined. */
export function valueOf(text: string): SysctlValue | undefined {
  const words = text.trim().split(/\s+/);
  if (words.length === 0 || !words.every((w) => /^-?[0-9]+$/.test(w))) return undefined;
  return words.length === 1 ? Number(words[0]) : words.map(Number).join(' ');
}

/**
 * Values by their sysctl(8) names (`net.ipv4.vs.conntrack`), read at once: for drain's warnings
 * and doctor's checks. A name this kernel or namespace lacks, or that is not an integer, is absent.
 */
export function readSysctls(names: readonly string[], root = PROC_SYS): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of names) {
    try {
      const value = integerOf(readFileSync(join(root, checkKey(name.replace(/\./g, '/'))), 'utf8'));
      if (value !== undefined) out[name] = value;
    } catch {
      // not in this kernel or namespace
    }
  }
  return out;
}

/** Refuses keys that could leave the root ('..', absolute paths, empty segments). */
function checkKey(key: string): string {
  const parts = key.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) throw new Error(`invalid sysctl key: ${key}`);
  return key;
}

/**
 * The name sysctl(8) shows: dots between segments, unless a segment has a dot itself (eth0.100),
 * in which case the slash form is used, which sysctl(8) and sysctl.d(5) also accept.
 */
export function sysctlName(key: string): string {
  const parts = key.split('/');
  return parts.some((p) => p.includes('.')) ? key : parts.join('.');
}

export const confKey = (family: 4 | 6, dev: string, knob: string): string => `net/ipv${family}/conf/${dev}/${knob}`;

const MAXCONF_KNOBS = new Set(['arp_ignore', 'arp_announce', 'rp_filter']);

/**
 * For `net/ipv4/conf/<dev>/<knob>` where the kernel uses max(all, dev): the `all` key to combine
 * with. undefined for every other key (its own value is the effective one).
 */
export function maxConfPartner(key: string): string | undefined {
  const m = /^net\/ipv4\/conf\/([^/]+)\/([^/]+)$/.exec(key);
  if (!m || m[1] === 'all' || m[1] === 'default' || !MAXCONF_KNOBS.has(m[2]!)) return undefined;
  return confKey(4, 'all', m[2]!);
}

/** The value the kernel acts on, given the configured values of the key and its partner. */
export function effectiveValue(key: string, values: ReadonlyMap<string, SysctlValue | undefined>): SysctlValue | undefined {
  const own = values.get(key);
  const partner = maxConfPartner(key);
  if (own === undefined || partner === undefined) return own;
  const all = values.get(partner);
  return typeof all !== 'number' || typeof own !== 'number' ? own : Math.max(own, all);
}
