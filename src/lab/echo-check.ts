// The pure half of the held-connection workload: checking one echoed TCP stream byte for byte,
// the periods in which new requests failed, and the summary the `hold` agent prints (progress and final).

/** One long-lived connection as the checker sees it: the server's name line, then an exact echo. */
export class EchoStream {
  /** The real server's name (its first line), once read. */
  server: string | undefined;
  private head = Buffer.alloc(0);
  private pending = Buffer.alloc(0);
  /** When each line still waiting for its echo was sent, and its length. */
  private readonly waiting: { at: number; bytes: number }[] = [];
  echoedBytes = 0;
  echoedLines = 0;

  /** Bytes written to the server at `at`. */
  sent(data: Buffer, at: number): void {
    this.pending = Buffer.concat([this.pending, data]);
    this.waiting.push({ at, bytes: data.length });
  }

  /** Bytes read from the server: false when they are not exactly the next bytes sent. */
  received(data: Buffer): boolean {
    let rest = data;
    if (this.server === undefined) {
      this.head = Buffer.concat([this.head, data]);
      const nl = this.head.indexOf(0x0a);
      if (nl < 0) return this.head.length <= 256;
      this.server = this.head.subarray(0, nl).toString('utf8');
      rest = this.head.subarray(nl + 1);
      this.head = Buffer.alloc(0);
    }
    if (rest.length > this.pending.length || !rest.equals(this.pending.subarray(0, rest.length))) return false;
    this.pending = this.pending.subarray(rest.length);
    this.echoedBytes += rest.length;
    this.consume(rest.length);
    return true;
  }

  private consume(bytes: number): void {
    let left = bytes;
    while (left > 0 && this.waiting.length > 0) {
      const first = this.waiting[0]!;
      const used = Math.min(left, first.bytes);
      first.bytes -= used;
      left -= used;
      if (first.bytes === 0) {
        this.waiting.shift();
        this.echoedLines++;
      }
    }
  }

  /** When the oldest byte still waiting for its echo was sent (undefined: nothing waits). */
  oldestWaiting(): number | undefined {
    return this.waiting[0]?.at;
  }
}

/** A new short request: when it started, when it ended, whether it was answered. */
export interface Probe {
  readonly start: number;
  readonly end: number;
  readonly ok: boolean;
}

/** A period in which new requests failed: from the start of the first failed request to the answer of the next one that succeeded. */
export interface Outage {
  readonly from: number;
  /** undefined while no later request succeeded yet */
  readonly to: number | undefined;
  readonly ms: number;
  readonly failed: number;
}

/** The outages in `probes` (in any order); an open one lasts until `now`. */
export function outagesOf(probes: readonly Probe[], now: number): Outage[] {
  const sorted = [...probes].sort((a, b) => a.start - b.start);
  const out: Outage[] = [];
  let open: { from: number; failed: number } | undefined;
  for (const p of sorted) {
    if (!p.ok) {
      if (open) open.failed++;
      else open = { from: p.start, failed: 1 };
    } else if (open) {
      out.push({ from: open.from, to: p.end, ms: p.end - open.from, failed: open.failed });
      open = undefined;
    }
  }
  if (open) out.push({ from: open.from, to: undefined, ms: now - open.from, failed: open.failed });
  return out;
}

export type BreakReason = 'connect' | 'reset' | 'mismatch' | 'stall' | 'closed';

/** One held connection's record. */
export interface HeldConnection {
  readonly id: number;
  /** the client's local port (finds its entry in a director's connection table) */
  port: number | undefined;
  server: string | undefined;
  establishedAt: number | undefined;
  echoedLines: number;
  /** when its last echo (or its announcement) arrived */
  lastEchoAt: number | undefined;
  /** the longest time a sent line waited for its echo */
  maxWaitMs: number;
  broken: { reason: BreakReason; at: number; detail: string } | undefined;
}

export interface HoldSummary {
  readonly connections: number;
  readonly established: number;
  readonly alive: number;
  readonly broken: number;
  readonly brokenBy: Partial<Record<BreakReason, number>>;
  /** alive connections per real server */
  readonly servers: Record<string, number>;
  readonly echoedLines: number;
  readonly maxWaitMs: number;
  /** the longest time since the last echo among live connections: small when every one is echoing now */
  readonly stalestEchoMs: number;
  readonly requests: { readonly sent: number; readonly ok: number; readonly failed: number };
  readonly refusing: boolean;
  readonly longestRefusedMs: number;
  readonly outages: readonly Outage[];
}

/** The state of a hold run at `now`: counts for progress lines and the final summary. */
export function summarize(conns: readonly HeldConnection[], probes: readonly Probe[], now: number): HoldSummary {
  const brokenBy: Partial<Record<BreakReason, number>> = {};
  const servers: Record<string, number> = {};
  let echoedLines = 0;
  let maxWaitMs = 0;
  let stalestEchoMs = 0;
  for (const c of conns) {
    if (!c.broken && c.lastEchoAt !== undefined) stalestEchoMs = Math.max(stalestEchoMs, now - c.lastEchoAt);
    echoedLines += c.echoedLines;
    maxWaitMs = Math.max(maxWaitMs, c.maxWaitMs);
    if (c.broken) brokenBy[c.broken.reason] = (brokenBy[c.broken.reason] ?? 0) + 1;
    else if (c.server !== undefined) servers[c.server] = (servers[c.server] ?? 0) + 1;
  }
  const outages = outagesOf(probes, now);
  const ok = probes.filter((p) => p.ok).length;
  return {
    connections: conns.length,
    established: conns.filter((c) => c.establishedAt !== undefined).length,
    alive: conns.filter((c) => c.establishedAt !== undefined && !c.broken).length,
    broken: conns.filter((c) => c.broken).length,
    brokenBy,
    servers,
    echoedLines,
    maxWaitMs,
    stalestEchoMs,
    requests: { sent: probes.length, ok, failed: probes.length - ok },
    refusing: outages.at(-1)?.to === undefined && outages.length > 0,
    longestRefusedMs: outages.reduce((m, o) => Math.max(m, o.ms), 0),
    outages,
  };
}
