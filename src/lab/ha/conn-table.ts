// A director's connection entries as /proc/net/ip_vs_conn lists them (hex addresses and ports),
// read through a process inside its namespace (/proc/PID/net): cheap enough to poll every few
// milliseconds when measuring how soon a backup learns a connection.
import { readFileSync } from 'node:fs';
import { formatAddress } from '../../ipvs/address.js';
import { AF_INET } from '../../ipvs/constants.js';
import { parseConnectionFile } from '../../table/connections.js';

export interface ConnEntry {
  readonly protocol: string;
  /** IPv4 client address, dotted */
  readonly client: string;
  readonly clientPort: number;
  readonly state: string;
}

/** The IPv4 entries of /proc/net/ip_vs_conn's text (IPv6 ones and the title line are left out). */
export function parseIpvsConn(text: string): ConnEntry[] {
  return (parseConnectionFile(text) ?? [])
    .filter((e) => e.client.af === AF_INET)
    .map((e) => ({ protocol: e.protocol, client: formatAddress(e.client), clientPort: e.clientPort, state: e.state }));
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
