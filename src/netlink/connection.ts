// Request/reply matching over a Transport: sequence numbers, multipart dumps, ACK/NLMSG_ERROR,
// and pipelining (many requests in one sendmsg, each reply matched to its request by seq).
// Nothing waits forever: no progress within the timeout fails what is pending and closes the socket.
import { Flag, MsgType } from './constants.js';
import { DumpInterruptedError, MalformedMessageError, NetlinkError, NetlinkTimeoutError } from './errors.js';
import type { RequestInfo } from './errors.js';
import { view } from './endian.js';
import { decodeDone, decodeError, encodeMessages, walkMessages } from './message.js';
import type { NetlinkMessage, OutgoingMessage } from './message.js';
import type { Transport } from './transport.js';

export interface Request {
  readonly type: number;
  /** NLM_F_* beyond REQUEST; ACK is added to every non-dump request */
  readonly flags?: number;
  /** bytes sent before the payload, shared between requests (a generic netlink header) */
  readonly head?: Uint8Array;
  readonly payload: Uint8Array;
  /** for error reports: the generic netlink command */
  readonly cmd?: number;
  /**
   * Takes each data reply as it arrives instead of the outcome collecting it: its payload is
   * bytes[start, end) (`view` over the same bytes), valid only during the call. A dump of
   * 10,000 services then makes no object per reply, and keeps none. What it throws fails the
   * request once the kernel has finished answering it (the socket stays usable).
   */
  readonly onReply?: ReplyVisitor;
}

export type ReplyVisitor = (bytes: Uint8Array, view: DataView, start: number, end: number) => void;

export type Outcome = { readonly ok: true; readonly replies: NetlinkMessage[] } | { readonly ok: false; readonly error: Error };

/** How a batch is sent. */
export interface BatchOptions {
  /** requests per sendmsg (and in flight at once); default DEFAULT_WINDOW */
  readonly window?: number;
  /**
   * The requests are changes whose success has no reply: only the last of each window asks for
   * an ACK (the fence). The kernel handles a window's messages in order and answers a failure at
   * once, so when the fence is answered, every earlier request without an answer has succeeded.
   * One reply per window instead of one per request (a recvmsg each).
   */
  readonly fenced?: boolean;
}

interface Pending {
  readonly info: RequestInfo;
  readonly replies: NetlinkMessage[];
  readonly settle: (outcome: Outcome) => void;
  /** a reply of this dump carried NLM_F_DUMP_INTR */
  interrupted: boolean;
  readonly onReply: ReplyVisitor | undefined;
  /** what onReply threw first: the outcome once the kernel is done answering */
  failed: Error | undefined;
}

/** How many requests share one sendmsg (and are in flight at once) in a batch. */
export const DEFAULT_WINDOW = 64;
/** Milliseconds without any reply to a pending request before it fails (reset by each reply). */
export const DEFAULT_TIMEOUT_MS = 5000;
const MAX_TIMER_MS = 0x7fffffff;
/**
 * The watchdog ticks this many times per timeout and fires after that many ticks in a row saw no
 * progress, so a stall fails between 1 and 1 + 1/WATCH_TICKS timeouts after the last reply.
 * Progress only bumps a counter: re-arming a timer per reply reads the clock (a system call in
 * the user-mode kernel, twice per dump), a tick does not.
 */
const WATCH_TICKS = 4;

export interface ConnectionOptions {
  /** ms without progress before pending requests fail with NetlinkTimeoutError (default 5000) */
  readonly timeoutMs?: number;
}

/** Replies the connection dropped because they were not for a pending request of this socket. */
export interface IgnoredReplies {
  /** nlmsg_pid is not our port */
  foreignPort: number;
  /** nlmsg_seq matches no pending request (unknown, or answered / timed out already) */
  unknownSeq: number;
}

export class NetlinkConnection {
  private seq: number;
  private readonly pending = new Map<number, Pending>();
  private dumpChain: Promise<unknown> = Promise.resolve();
  private broken: Error | undefined;
  private closed = false;
  private watchdog: ReturnType<typeof setInterval> | undefined;
  /** bumped by every send and matched reply; the watchdog compares it between ticks */
  private activity = 0;
  private seenActivity = -1;
  private idleTicks = 0;
  readonly timeoutMs: number;
  readonly ignored: IgnoredReplies = { foreignPort: 0, unknownSeq: 0 };

  constructor(
    private readonly transport: Transport,
    options: ConnectionOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(this.timeoutMs > 0)) throw new RangeError(`netlink timeout must be positive, got ${this.timeoutMs}`);
    this.seq = (Date.now() & 0x7fffffff) >>> 0;
    transport.listen(
      (d) => this.receive(d),
      (e) => this.failAll(e),
    );
  }

  /** One request; resolves with its data replies, rejects with NetlinkError on a kernel error. */
  async request(req: Request): Promise<NetlinkMessage[]> {
    const [outcome] = await this.batch([req]);
    if (!outcome!.ok) throw outcome!.error;
    return outcome!.replies;
  }

  /** A dump; only one runs at a time per socket (the kernel answers EBUSY otherwise). */
  dump(req: Request): Promise<NetlinkMessage[]> {
    const run = this.dumpChain.then(() => this.request({ ...req, flags: (req.flags ?? 0) | Flag.DUMP }));
    this.dumpChain = run.catch(() => undefined);
    return run;
  }

  /**
   * Sends requests in windows of `window` per sendmsg; the kernel handles the messages of one
   * sendmsg in order. Every request gets an outcome; one failure does not stop the others.
   */
  async batch(reqs: readonly Request[], options: BatchOptions = {}): Promise<Outcome[]> {
    const window = options.window ?? DEFAULT_WINDOW;
    if (!(window >= 1)) throw new RangeError(`batch window must be at least 1, got ${window}`);
    const outcomes: Outcome[] = [];
    for (let i = 0; i < reqs.length; i += window) {
      outcomes.push(...(await this.sendWindow(reqs.slice(i, i + window), options.fenced ?? false)));
    }
    return outcomes;
  }

  private async sendWindow(reqs: readonly Request[], fenced: boolean): Promise<Outcome[]> {
    if (this.broken) throw this.broken;
    const parts: OutgoingMessage[] = [];
    /** requests of this window sent without ACK: they succeeded if unanswered when the fence is */
    const silent: number[] = [];
    const last = reqs.length - 1;
    const settled = reqs.map((req, i) => {
      const seq = this.nextSeq();
      const dump = ((req.flags ?? 0) & Flag.DUMP) === Flag.DUMP;
      const ack = !dump && (!fenced || i === last);
      if (!dump && !ack) silent.push(seq);
      const flags = Flag.REQUEST | (req.flags ?? 0) | (ack ? Flag.ACK : 0);
      parts.push({ type: req.type, flags, seq, pid: this.transport.port, head: req.head, payload: req.payload });
      const info: RequestInfo = { type: req.type, ...(req.cmd !== undefined ? { cmd: req.cmd } : {}), dump };
      return new Promise<Outcome>((resolve) => {
        const settle = silent.length > 0 && i === last ? (o: Outcome) => (this.settleSilent(silent), resolve(o)) : resolve;
        this.pending.set(seq, { info, replies: [], settle, interrupted: false, onReply: req.onReply, failed: undefined });
      });
    });
    this.progress();
    // Not awaited: a send that never completes (the binding retries ENOBUFS on sendmsg) is
    // caught by the watchdog like a kernel that never answers.
    this.transport.send(encodeMessages(parts)).catch((e: unknown) => this.failAll(e as Error));
    return Promise.all(settled);
  }

  /**
   * The fence of a window was answered: its requests still unanswered succeeded (a failure is
   * answered at once, and in order). A fence failed by the connection itself (timeout, lost
   * replies) comes after the others were failed the same way, so nothing is left here then.
   */
  private settleSilent(seqs: readonly number[]): void {
    for (const seq of seqs) {
      const p = this.pending.get(seq);
      if (!p) continue;
      this.pending.delete(seq);
      p.settle({ ok: true, replies: p.replies });
    }
  }

  close(): void {
    this.failAll(new Error('netlink connection closed'));
    this.stopWatchdog();
    this.closeTransport();
  }

  private closeTransport(): void {
    if (this.closed) return;
    this.closed = true;
    this.transport.close();
  }

  /**
   * Notes progress for the watchdog: it runs (ref'd) while something is pending and is unref'd,
   * not stopped, while nothing is, so a connection busy with one dump after another keeps one
   * timer.
   */
  private progress(): void {
    this.activity++;
    if (this.pending.size === 0) {
      this.watchdog?.unref();
      return;
    }
    if (!this.watchdog) {
      // setInterval takes at most 2^31-1 ms (longer fires at once, with a warning): cap it there.
      const tick = Math.max(1, Math.min(Math.ceil(this.timeoutMs / WATCH_TICKS), MAX_TIMER_MS));
      this.watchdog = setInterval(() => this.watch(), tick);
    }
    this.watchdog.ref();
  }

  private watch(): void {
    if (this.pending.size === 0) return this.stopWatchdog();
    if (this.activity !== this.seenActivity) {
      this.seenActivity = this.activity;
      this.idleTicks = 0;
    } else if (++this.idleTicks >= WATCH_TICKS) {
      this.timedOut();
    }
  }

  private stopWatchdog(): void {
    clearInterval(this.watchdog);
    this.watchdog = undefined;
    this.seenActivity = -1;
    this.idleTicks = 0;
  }

  /** Every pending request fails naming itself; the socket is closed so late replies go nowhere. */
  private timedOut(): void {
    this.stopWatchdog();
    const pending = [...this.pending.values()];
    const first = pending[0];
    if (!first) return;
    this.broken ??= new NetlinkTimeoutError(first.info, this.timeoutMs);
    this.pending.clear();
    for (const p of pending) p.settle({ ok: false, error: new NetlinkTimeoutError(p.info, this.timeoutMs) });
    this.closeTransport();
  }

  private nextSeq(): number {
    this.seq = (this.seq + 1) >>> 0 || 1;
    return this.seq;
  }

  private receive(datagram: Uint8Array): void {
    const dv = view(datagram);
    let matched = false;
    try {
      walkMessages(datagram, dv, () => undefined); // a datagram that does not add up fails as a whole
    } catch (e) {
      return this.failAll(e as Error);
    }
    walkMessages(datagram, dv, (type, flags, seq, pid, start, end) => {
      // data replies of a request that takes them as they come: handed over in place
      const p = pid === this.transport.port && type >= MsgType.MIN_DATA ? this.pending.get(seq) : undefined;
      if (p?.onReply) {
        matched = true;
        if (p.info.dump && flags & Flag.DUMP_INTR) p.interrupted = true;
        if (p.failed) return;
        try {
          p.onReply(datagram, dv, start, end);
        } catch (e) {
          p.failed = e as Error;
        }
        return;
      }
      matched = this.dispatch({ type, flags, seq, pid, payload: datagram.subarray(start, end) }) || matched;
    });
    if (matched) this.progress();
  }

  /** Hands one message to its request; false when it belongs to none (ignored and counted). */
  private dispatch(msg: NetlinkMessage): boolean {
    // Kernel replies to a unicast request always carry the requester's port (pid 0 is multicast).
    if (msg.pid !== this.transport.port) return (this.ignored.foreignPort++, false);
    const p = this.pending.get(msg.seq);
    if (!p) return (this.ignored.unknownSeq++, false);
    const finish = (outcome: Outcome): true => {
      this.pending.delete(msg.seq);
      p.settle(p.failed ? { ok: false, error: p.failed } : outcome);
      return true;
    };
    const request = { type: p.info.type, ...(p.info.cmd !== undefined ? { cmd: p.info.cmd } : {}) };
    try {
      if (p.info.dump && msg.flags & Flag.DUMP_INTR) p.interrupted = true;
      if (msg.type === MsgType.ERROR) {
        const { errno, extack } = decodeError(msg);
        if (errno === 0) return finish({ ok: true, replies: p.replies });
        return finish({ ok: false, error: new NetlinkError(errno, extack, request) });
      }
      if (msg.type === MsgType.DONE) {
        const errno = decodeDone(msg);
        if (errno) return finish({ ok: false, error: new NetlinkError(errno, {}, request) });
        return finish(p.interrupted ? { ok: false, error: new DumpInterruptedError(p.info) } : { ok: true, replies: p.replies });
      }
      if (msg.type === MsgType.OVERRUN) throw new MalformedMessageError('nlmsghdr', 'NLMSG_OVERRUN: data lost');
      if (msg.type !== MsgType.NOOP) p.replies.push(msg);
      return true;
    } catch (e) {
      return finish({ ok: false, error: e as Error });
    }
  }

  private failAll(error: Error): void {
    this.broken ??= error;
    for (const [seq, p] of this.pending) {
      this.pending.delete(seq);
      p.settle({ ok: false, error });
    }
    this.progress();
  }
}
