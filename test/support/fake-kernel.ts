// Fake netlink Transports for tests without root (the genltest analogue): ManualTransport records
// every sendmsg and lets a test deliver datagrams by hand; FakeKernel answers like the kernel.
// FakeKernel serves CTRL_CMD_GETFAMILY itself and takes IPVS requests from a script or a model;
// an Answer can also misbehave (stay silent, answer late, send strays first, flag DUMP_INTR, fail
// the socket).
import { endianness } from 'node:os';
import type { Transport } from '../../src/netlink/transport.js';
import { CTRL, NLMSG, NLM_F, attr, attrMap, cstr, done, genl, nlmsg, nlmsgerr, parseMessages, readHostU16, str, u16, u32 } from './bytes.js';
import type { ParsedMessage } from './bytes.js';

/** A Transport driven by the test: `sent` holds each sendmsg, `deliver` plays the kernel. */
export class ManualTransport implements Transport {
  readonly sent: Buffer[] = [];
  closed = 0;
  /** When set, every send rejects with it (after recording nothing). */
  sendError: Error | undefined;
  /** When set, every send is recorded but never completes (the binding's ENOBUFS retry loop). */
  sendHangs = false;
  private onDatagram: ((d: Uint8Array) => void) | undefined;
  private onError: ((e: Error) => void) | undefined;
  private waiters: { n: number; wake: () => void }[] = [];

  constructor(readonly port = 0x4321) {}

  send(bytes: Uint8Array): Promise<void> {
    if (this.sendError) return Promise.reject(this.sendError);
    const copy = Buffer.from(bytes);
    this.sent.push(copy);
    this.waiters = this.waiters.filter((w) => (this.sent.length >= w.n ? (w.wake(), false) : true));
    if (this.sendHangs) return new Promise<void>(() => undefined);
    try {
      this.handle(copy);
    } catch (e) {
      return Promise.reject(e as Error);
    }
    return Promise.resolve();
  }
  /** Subclasses answer here; the default leaves answering to the test. */
  protected handle(_bytes: Buffer): void {}

  listen(onDatagram: (d: Uint8Array) => void, onError: (e: Error) => void): void {
    this.onDatagram = onDatagram;
    this.onError = onError;
  }
  close(): void {
    this.closed++;
  }

  /** Hands each datagram to the listener, in order, synchronously. */
  deliver(...datagrams: readonly Uint8Array[]): void {
    if (!this.onDatagram) throw new Error('ManualTransport: nobody is listening');
    for (const d of datagrams) this.onDatagram(d);
  }
  /** A socket error, as the native transport reports one. */
  fail(error: Error): void {
    this.onError?.(error);
  }
  /** Resolves once `n` sendmsg calls have been made in total; returns them all. */
  async sends(n: number): Promise<Buffer[]> {
    if (this.sent.length < n) await new Promise<void>((wake) => this.waiters.push({ n, wake }));
    return this.sent;
  }
  /** Every request message sent so far, in order. */
  messages(): ParsedMessage[] {
    return this.sent.flatMap((d) => parseMessages(d));
  }
}

/** One generic netlink request as the fake kernel saw it. */
export interface SeenRequest extends ParsedMessage {
  readonly cmd: number;
  readonly version: number;
  /** the attributes after the genl header */
  readonly attrs: Buffer;
  readonly dump: boolean;
}

/** How the kernel answers one request. */
export interface Answer {
  /** data messages (genl cmd + attributes), NLM_F_MULTI in a dump */
  readonly replies?: readonly { readonly cmd: number; readonly attrs: Uint8Array }[];
  /** refuse with this errno (NLMSG_ERROR; in a dump after the replies, or in DONE with `inDone`) */
  readonly errno?: number;
  readonly inDone?: boolean;
  readonly extack?: { readonly msg?: string; readonly offset?: number };
  /** exact datagrams instead of the above */
  readonly raw?: readonly Uint8Array[];
  /** no reply at all (a kernel or socket that never answers) */
  readonly silent?: boolean;
  /** the reply comes this many ms after the others (after a timeout: to a socket closed since) */
  readonly lateMs?: number;
  /** OR'ed into nlmsg_flags of every reply but NLMSG_ERROR (NLM_F_DUMP_INTR = 0x10 as the kernel sets it, DONE included) */
  readonly flagsOr?: number;
  /** first the same answer as EPERM with a wrong port or an unknown seq, then the real one */
  readonly stray?: 'pid' | 'seq';
  /** instead of answering, the socket reports this error (e.g. ENOBUFS: replies dropped) */
  readonly socketError?: Error;
}

export interface Expectation {
  readonly cmd: number;
  /** the exact nlmsg_flags the request must carry */
  readonly flags: number;
  /** the exact attribute bytes (after the genl header) the request must carry */
  readonly attrs?: Uint8Array;
  readonly answer?: Answer | ((req: SeenRequest) => Answer);
}

/** What answers family requests when no expectation is queued (see fake-ipvs.ts). */
export interface FamilyModel {
  handle(req: SeenRequest): Answer;
}

export interface FakeKernelOptions {
  /** resolvable families; default { IPVS: { id: 0x1c, version: 1 } } */
  readonly families?: Readonly<Record<string, { readonly id: number; readonly version: number }>>;
  readonly model?: FamilyModel;
  readonly port?: number;
}

export class FakeKernel extends ManualTransport {
  readonly families: Readonly<Record<string, { readonly id: number; readonly version: number }>>;
  /** every request, controller ones included */
  readonly seen: SeenRequest[] = [];
  /** mismatches found while answering (also thrown from send, so the caller fails) */
  readonly problems: string[] = [];
  /** messages per datagram: 1 = each on its own (the kernel's way for acks), Infinity = all in one */
  perDatagram = 1;
  /** deliver the answers to one sendmsg last request first (pipelined replies out of order) */
  reverse = false;
  private readonly script: Expectation[] = [];
  model: FamilyModel | undefined;

  constructor(opts: FakeKernelOptions = {}) {
    super(opts.port);
    this.families = opts.families ?? { IPVS: { id: 0x1c, version: 1 } };
    this.model = opts.model;
  }

  /** Queues expectations; each family request consumes the first one left. */
  expect(...e: readonly Expectation[]): this {
    this.script.push(...e);
    return this;
  }
  /** Requests sent to a family (not to the controller). */
  familyRequests(): SeenRequest[] {
    return this.seen.filter((r) => r.type !== CTRL.ID);
  }
  /** Throws when an expectation was not met or is still waiting. */
  verify(): void {
    if (this.problems.length) throw new Error(`fake kernel: ${this.problems.join('; ')}`);
    if (this.script.length) throw new Error(`fake kernel: ${this.script.length} expected request(s) never came (first: cmd ${this.script[0]!.cmd})`);
  }

  protected override handle(bytes: Buffer): void {
    const answers: Buffer[][] = [];
    const errors: Error[] = [];
    for (const m of parseMessages(bytes)) {
      const req: SeenRequest = {
        ...m,
        cmd: m.payload[0] ?? -1,
        version: m.payload[1] ?? -1,
        attrs: m.payload.subarray(4),
        dump: (m.flags & NLM_F.DUMP) === NLM_F.DUMP,
      };
      this.seen.push(req);
      const a = m.type === CTRL.ID ? this.controller(req) : this.family(req);
      if (a.socketError) errors.push(a.socketError);
      else if (a.lateMs !== undefined) this.late(this.misbehave(req, a), a.lateMs);
      else if (!a.silent) answers.push(this.misbehave(req, a));
    }
    // `reverse` reorders whole answers; the messages of one answer keep their order, as in the kernel.
    const messages = (this.reverse ? answers.reverse() : answers).flat();
    const datagrams: Buffer[] = [];
    for (let i = 0; i < messages.length; i += this.perDatagram) datagrams.push(Buffer.concat(messages.slice(i, i + this.perDatagram)));
    // Replies become readable after sendmsg returns, as from a real socket.
    setImmediate(() => {
      this.deliver(...datagrams);
      for (const e of errors) this.fail(e);
    });
  }

  /** Delivers an answer's messages after `ms`, each in its own datagram. */
  private late(messages: readonly Buffer[], ms: number): void {
    setTimeout(() => this.deliver(...messages), ms);
  }

  /** The answer's messages, preceded by strays when asked, with flagsOr on its data replies. */
  private misbehave(req: SeenRequest, a: Answer): Buffer[] {
    const real = this.answerMessages(req, a);
    if (a.flagsOr) for (const m of real) if (readHostU16(m.subarray(4)) !== NLMSG.ERROR) setFlags(m, a.flagsOr);
    if (!a.stray) return real;
    const wrong = a.stray === 'pid' ? { pid: this.port + 1 } : { seq: (req.seq + 0x1000) >>> 0 };
    const strays = this.answerMessages({ ...req, ...wrong }, { errno: 1 }, wrong.pid);
    return [...strays, ...real];
  }

  /** CTRL_CMD_GETFAMILY: NEWFAMILY with name, id, version, hdrsize, maxattr; else ENOENT. */
  private controller(req: SeenRequest): Answer {
    const name = attrMap(req.attrs).get(CTRL.FAMILY_NAME);
    const fam = name ? this.families[cstr(name.payload)] : undefined;
    if (req.cmd !== CTRL.CMD_GETFAMILY || !name) return { errno: 22 };
    if (!fam) return { errno: 2 };
    const attrs = Buffer.concat([
      attr(CTRL.FAMILY_NAME, str(cstr(name.payload))),
      attr(CTRL.FAMILY_ID, u16(fam.id)),
      attr(CTRL.VERSION, u32(fam.version)),
      attr(CTRL.HDRSIZE, u32(0)),
      attr(CTRL.MAXATTR, u32(6)),
    ]);
    return { replies: [{ cmd: CTRL.CMD_NEWFAMILY, attrs }] };
  }

  private family(req: SeenRequest): Answer {
    const next = this.script.shift();
    if (!next) {
      if (this.model) return this.model.handle(req);
      return this.problem(`unexpected request cmd ${req.cmd} flags 0x${req.flags.toString(16)}`);
    }
    if (next.cmd !== req.cmd || next.flags !== req.flags) {
      return this.problem(`expected cmd ${next.cmd} flags 0x${next.flags.toString(16)}, got cmd ${req.cmd} flags 0x${req.flags.toString(16)}`);
    }
    if (next.attrs && !Buffer.from(next.attrs).equals(req.attrs)) {
      return this.problem(`cmd ${req.cmd}: attributes differ\n  expected ${Buffer.from(next.attrs).toString('hex')}\n  got      ${req.attrs.toString('hex')}`);
    }
    const a = next.answer ?? {};
    return typeof a === 'function' ? a(req) : a;
  }

  private problem(text: string): never {
    this.problems.push(text);
    throw new Error(`fake kernel: ${text}`);
  }

  /** Turns an Answer into reply messages the way the kernel frames them. */
  private answerMessages(req: SeenRequest, a: Answer, pid = this.port): Buffer[] {
    if (a.raw) return a.raw.map((r) => Buffer.from(r));
    const hdr = { type: req.type, seq: req.seq, pid };
    const out = (a.replies ?? []).map((r) =>
      nlmsg({ ...hdr, flags: req.dump ? NLM_F.MULTI : 0 }, genl(r.cmd, req.type === CTRL.ID ? 2 : 1, r.attrs)),
    );
    const echo = { request: req.raw, seq: req.seq, pid };
    if (req.dump && (!a.errno || a.inDone)) out.push(done(req.seq, pid, a.errno ?? 0));
    else if (a.errno) out.push(nlmsgerr({ ...echo, errno: a.errno, ...(a.extack ? { extack: a.extack } : {}) }));
    else if (req.flags & NLM_F.ACK) out.push(nlmsgerr({ ...echo, errno: 0 }));
    return out;
  }
}

/** ORs `flags` into the nlmsg_flags of a built message (host order, as bytes.ts writes it). */
function setFlags(m: Buffer, flags: number): void {
  const le = endianness() === 'LE';
  const old = le ? m.readUInt16LE(6) : m.readUInt16BE(6);
  if (le) m.writeUInt16LE(old | flags, 6);
  else m.writeUInt16BE(old | flags, 6);
}
