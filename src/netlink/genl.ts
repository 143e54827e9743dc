// Generic netlink on top of NetlinkConnection: resolve a family by name (CTRL_CMD_GETFAMILY),
// then send commands to it and decode the genl header of the replies.
import { AttributeSet, AttributeWriter } from './attributes.js';
import { NetlinkConnection } from './connection.js';
import type { BatchOptions, ConnectionOptions, IgnoredReplies, Outcome, ReplyVisitor, Request } from './connection.js';
import { CtrlAttr, CtrlCmd, GENL_HDRLEN, GENL_ID_CTRL } from './constants.js';
import { MalformedMessageError } from './errors.js';
import { decodeGenlPayload, genlHeader } from './message.js';
import type { GenlPayload } from './message.js';
import type { Transport } from './transport.js';

export interface GenlFamily {
  readonly id: number;
  readonly version: number;
}

const NO_ATTRS = new Uint8Array(0);

export interface GenlRequest {
  readonly cmd: number;
  readonly attrs?: Uint8Array;
}

export type GenlOutcome = { readonly ok: true; readonly replies: GenlPayload[] } | { readonly ok: false; readonly error: Error };

/** CTRL_CMD_GETFAMILY: the id and version of a family; NetlinkError ENOENT when unknown. */
export async function resolveFamily(conn: NetlinkConnection, name: string): Promise<GenlFamily> {
  const attrs = new AttributeWriter().string(CtrlAttr.FAMILY_NAME, name).finish();
  const replies = await conn.request({ type: GENL_ID_CTRL, cmd: CtrlCmd.GETFAMILY, head: genlHeader(CtrlCmd.GETFAMILY, 1), payload: attrs });
  const first = replies[0];
  if (!first) throw new MalformedMessageError('CTRL_CMD_GETFAMILY', 'no reply');
  const set = new AttributeSet(decodeGenlPayload(first.payload, 'CTRL_CMD_GETFAMILY').attrs, 'CTRL_CMD_GETFAMILY', CtrlAttr);
  return { id: set.required(CtrlAttr.FAMILY_ID, set.u16), version: set.u32(CtrlAttr.VERSION) ?? 1 };
}

export class GenlClient {
  private constructor(
    private readonly conn: NetlinkConnection,
    readonly family: GenlFamily,
  ) {}

  /** A client for a family already resolved (on another socket of the same process). */
  static withFamily(transport: Transport, family: GenlFamily, options: ConnectionOptions = {}): GenlClient {
    return new GenlClient(new NetlinkConnection(transport, options), family);
  }

  /** Resolves `name` over `transport` and returns a client bound to that family. */
  static async open(transport: Transport, name: string, options: ConnectionOptions = {}): Promise<GenlClient> {
    const conn = new NetlinkConnection(transport, options);
    try {
      return new GenlClient(conn, await resolveFamily(conn, name));
    } catch (e) {
      conn.close();
      throw e;
    }
  }

  /** A request of the family: genlmsghdr (shared) then the attributes, sent as they are. */
  private encode(req: GenlRequest, version: number, onReply?: ReplyVisitor): Request {
    const request: Request = { type: this.family.id, cmd: req.cmd, head: genlHeader(req.cmd, version), payload: req.attrs ?? NO_ATTRS };
    return onReply ? { ...request, onReply } : request;
  }

  /** A command expecting zero or one reply plus the ACK. */
  async request(req: GenlRequest, version = this.family.version): Promise<GenlPayload[]> {
    const replies = await this.conn.request(this.encode(req, version));
    return replies.map((m) => decodeGenlPayload(m.payload, `reply to command ${req.cmd}`));
  }

  /** A dump (NLM_F_DUMP): every reply up to NLMSG_DONE. */
  async dump(req: GenlRequest, version = this.family.version): Promise<GenlPayload[]> {
    const replies = await this.conn.dump(this.encode(req, version));
    return replies.map((m) => decodeGenlPayload(m.payload, `dump of command ${req.cmd}`));
  }

  /**
   * A dump whose replies are visited as they arrive (see Request.onReply): `visit` gets the
   * bytes of each reply's attributes, [start, end), with a view over them; nothing is kept.
   */
  async dumpEach(req: GenlRequest, visit: ReplyVisitor, version = this.family.version): Promise<void> {
    const onReply: ReplyVisitor = (bytes, view, start, end) => {
      if (end - start < GENL_HDRLEN) {
        throw new MalformedMessageError(`dump of command ${req.cmd}`, `generic netlink header needs ${GENL_HDRLEN} bytes, got ${end - start}`);
      }
      visit(bytes, view, start + GENL_HDRLEN, end);
    };
    await this.conn.dump(this.encode(req, version, onReply));
  }

  /** Many commands pipelined; each gets its own outcome, in order. */
  async batch(reqs: readonly GenlRequest[], version = this.family.version, options: BatchOptions = {}): Promise<GenlOutcome[]> {
    const outcomes = await this.conn.batch(
      reqs.map((r) => this.encode(r, version)),
      options,
    );
    return outcomes.map((o: Outcome): GenlOutcome => {
      if (!o.ok) return o;
      try {
        return { ok: true, replies: o.replies.map((m) => decodeGenlPayload(m.payload, 'batch reply')) };
      } catch (error) {
        return { ok: false, error: error as Error };
      }
    });
  }

  /** Replies this client's socket dropped as not its own (foreign port, unknown seq). */
  get ignored(): Readonly<IgnoredReplies> {
    return this.conn.ignored;
  }

  close(): void {
    this.conn.close();
  }
}
