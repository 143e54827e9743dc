// A director's connection entries as /proc/net/ip_vs_conn lists them (hex addresses and ports),
// read through a process inside its namespace (/proc/PID/net): cheap enough to poll every few
// milliseconds when measuring how soon a backup learns a connection.
import { readFileSync } from 'node:fs';

export interface ConnEntry {
  readonly protocol: string;
  /** IPv4 client address, dotted */
  readonly client: string;
  readonly clientPort: number;
  readonly state: string;
}

const dotted = (hex: string): string => [0, 2, 4, 6].map((i) => parseInt(hex.slice(i, i + 2), 16)).join('.');

/** The IPv4 entries of /proc/net/ip_vs_conn's text (IPv6 ones and the title line are left out). */
export function parseIpvsConn(text: string): ConnEntry[] {
  const out: ConnEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8 || !/^[0-9A-F]{8}$/i.test(f[1]!) || !/^[0-9A-F]{4}$/i.test(f[2]!)) continue;
    out.push({ protocol: f[0]!, client: dotted(f[1]!), clientPort: parseInt(f[2]!, 16), state: f[7]! });
  }
  return out;
}

/** The entries of the namespace process `pid` is in. */
export function readIpvsConn(pid: number): ConnEntry[] {
  return parseIpvsConn(readFileSync(`/proc/${pid}/net/ip_vs_conn`, 'utf8'));
}

/** Whether `addr` is a local IPv4 address of the namespace process `pid` is in (its local routing table). */
export function holdsAddress(pid: number, addr: string): boolean {
  const trie = readFileSync(`/proc/${pid}/net/fib_trie`, 'utf8');
  const escaped = addr.replace(/\./g, '\\.');
  return new RegExp(`\\|-- ${escaped}\\n\\s+/32 host LOCAL`).test(trie);
}
