// Request/reply matching over a Transport: sequence numbers, multipart dumps, ACK/NLMSG_ERROR,
// and pipelining (many requests in one sendmsg, each reply matched to its request by seq).
import { Flag, MsgType } from './constants.js';
import { MalformedMessageError, NetlinkError } from './errors.js';
import { decodeDone, decodeError, encodeMessage, splitMessages } from './message.js';
import type { NetlinkMessage } from './message.js';
import type { Transport } from './transport.js';

export interface Request {
  readonly type: number;
  /** NLM_F_* beyond REQUEST; ACK is added to every non-dump request */
  readonly flags?: number;
  readonly payload: Uint8Array;
  /** for error reports: the generic netlink command */
  readonly cmd?: number;
}

export type Outcome = { readonly ok: true; readonly replies: NetlinkMessage[] } | { readonly ok: false; readonly error: Error };

interface Pending {
  readonly dump: boolean;
  readonly request: Request;
  readonly replies: NetlinkMessage[];
  readonly settle: (outcome: Outcome) => void;
}

/** How many requests share one sendmsg (and are in flight at once) in a batch. */
export const DEFAULT_WINDOW = 64;

export class NetlinkConnection {
  private seq: number;
  private readonly pending = new Map<number, Pending>();
  private dumpChain: Promise<unknown> = Promise.resolve();
  private broken: Error | undefined;

  constructor(private readonly transport: Transport) {
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
  async batch(reqs: readonly Request[], window = DEFAULT_WINDOW): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (let i = 0; i < reqs.length; i += window) {
      outcomes.push(...(await this.sendWindow(reqs.slice(i, i + window))));
    }
    return outcomes;
  }

  private async sendWindow(reqs: readonly Request[]): Promise<Outcome[]> {
    if (this.broken) throw this.broken;
    const parts: Uint8Array[] = [];
    const settled = reqs.map((req) => {
      const seq = this.nextSeq();
      const dump = ((req.flags ?? 0) & Flag.DUMP) === Flag.DUMP;
      const flags = Flag.REQUEST | (req.flags ?? 0) | (dump ? 0 : Flag.ACK);
      parts.push(encodeMessage({ type: req.type, flags, seq, pid: this.transport.port, payload: req.payload }));
      return new Promise<Outcome>((settle) => this.pending.set(seq, { dump, request: req, replies: [], settle }));
    });
    await this.transport.send(concat(parts)).catch((e: unknown) => this.failAll(e as Error));
    return Promise.all(settled);
  }

  close(): void {
    this.failAll(new Error('netlink connection closed'));
    this.transport.close();
  }

  private nextSeq(): number {
    this.seq = (this.seq + 1) >>> 0 || 1;
    return this.seq;
  }

  private receive(datagram: Uint8Array): void {
    let messages: NetlinkMessage[];
    try {
      messages = splitMessages(datagram);
    } catch (e) {
      return this.failAll(e as Error);
    }
    for (const msg of messages) this.dispatch(msg);
  }

  private dispatch(msg: NetlinkMessage): void {
    const p = this.pending.get(msg.seq);
    if (!p || (msg.pid !== 0 && msg.pid !== this.transport.port)) return; // not ours, or stale
    const finish = (outcome: Outcome): void => {
      this.pending.delete(msg.seq);
      p.settle(outcome);
    };
    try {
      if (msg.type === MsgType.ERROR) {
        const { errno, extack } = decodeError(msg);
        if (errno === 0) return finish({ ok: true, replies: p.replies });
        return finish({ ok: false, error: new NetlinkError(errno, extack, { type: p.request.type, ...(p.request.cmd !== undefined ? { cmd: p.request.cmd } : {}) }) });
      }
      if (msg.type === MsgType.DONE) {
        const errno = decodeDone(msg);
        return finish(errno ? { ok: false, error: new NetlinkError(errno) } : { ok: true, replies: p.replies });
      }
      if (msg.type === MsgType.OVERRUN) throw new MalformedMessageError('nlmsghdr', 'NLMSG_OVERRUN: data lost');
      if (msg.type === MsgType.NOOP) return;
      p.replies.push(msg);
    } catch (e) {
      finish({ ok: false, error: e as Error });
    }
  }

  private failAll(error: Error): void {
    this.broken ??= error;
    for (const [seq, p] of this.pending) {
      this.pending.delete(seq);
      p.settle({ ok: false, error });
    }
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
