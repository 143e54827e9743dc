// A traffic target of the lab (`tcp:192.0.2.1:80`, `udp:[2001:db8::1]:53`): parse and format.
export interface Target {
  readonly proto: 'tcp' | 'udp';
  readonly host: string;
  readonly port: number;
}

/** `tcp:192.0.2.1:80`, `udp:[2001:db8::1]:53` → Target. */
export function parseTarget(text: string): Target {
  const m = /^(tcp|udp):(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):(\d{1,5})$/.exec(text);
  if (!m || Number(m[4]) < 1 || Number(m[4]) > 65535) throw new Error(`bad target ${text} (expected tcp|udp:ADDR:PORT)`);
  return { proto: m[1] as Target['proto'], host: (m[2] ?? m[3])!, port: Number(m[4]) };
}

export const formatTarget = (t: Target): string => `${t.proto}:${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;

