// The traffic agent's long-lived workload: `echo NAME --tcp P,P` serves a line echo that first
// announces NAME; `hold TARGET` keeps N echo connections through it and, beside them, sends new short
// requests, printing JSON progress lines and a summary (echo-check.ts decides what broke).
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { emit } from './agent-io.js';
import { numberOption, option, ports } from './agent-args.js';
import { EchoStream, summarize } from './echo-check.js';
import type { BreakReason, HeldConnection, Probe } from './echo-check.js';
import { parseTarget } from './target.js';
import type { Target } from './target.js';

/** `echo NAME --tcp P,P [--max-seconds S]`: prints `ready` once every port listens, ends after S seconds. */
export function echoServe(args: string[]): void {
  const name = args.shift() ?? 'unnamed';
  const tcp = ports(option(args, '--tcp', ''));
  const maxSeconds = numberOption(args, '--max-seconds', 900, 1, 86_400);
  if (tcp.length === 0) throw new Error('echo needs --tcp PORT[,PORT]');
  let pending = tcp.length;
  const servers: Server[] = [];
  const open = new Set<Socket>();
  for (const port of tcp) {
    const server = createServer((sock) => {
      open.add(sock);
      sock.on('close', () => open.delete(sock));
      sock.setNoDelay(true);
      sock.on('error', () => undefined);
      sock.write(`${name}\n`);
      sock.on('data', (d: Buffer) => sock.write(d));
      sock.on('end', () => sock.end());
    });
    server.listen({ host: '::', port, ipv6Only: false }, () => void (--pending === 0 && emit('ready\n')));
    servers.push(server);
  }
  // the end closes everything the server holds, and the process ends with it
  const end = (): void => {
    clearTimeout(timer);
    process.off('SIGTERM', end).off('SIGINT', end);
    servers.forEach((s) => s.close());
    open.forEach((s) => s.destroy());
  };
  const timer = setTimeout(end, maxSeconds * 1000);
  process.on('SIGTERM', end).on('SIGINT', end);
}

export interface HoldOptions {
  readonly target: Target;
  readonly connections: number;
  /** one numbered line per connection every intervalMs */
  readonly intervalMs: number;
  /** a line without its echo for longer than this breaks its connection */
  readonly stallMs: number;
  readonly seconds: number;
  /** a new short request every requestIntervalMs, failed when not answered within requestTimeoutMs */
  readonly requestIntervalMs: number;
  readonly requestTimeoutMs: number;
  readonly reportMs: number;
}

function holdOptions(args: string[]): HoldOptions {
  const text = args.shift();
  if (text === undefined) throw new Error('hold needs a target (tcp:ADDR:PORT)');
  const target = parseTarget(text);
  if (target.proto !== 'tcp') throw new Error('hold needs a tcp target');
  const o: HoldOptions = {
    target,
    connections: numberOption(args, '--connections', 20, 1, 1000),
    intervalMs: numberOption(args, '--interval-ms', 100, 10, 60_000),
    stallMs: numberOption(args, '--stall-ms', 15_000, 100, 600_000),
    seconds: numberOption(args, '--seconds', 600, 1, 86_400),
    requestIntervalMs: numberOption(args, '--request-interval-ms', 200, 10, 60_000),
    requestTimeoutMs: numberOption(args, '--request-timeout-ms', 2000, 100, 60_000),
    reportMs: numberOption(args, '--report-ms', 1000, 50, 60_000),
  };
  if (args.length > 0) throw new Error(`hold: unexpected ${args.join(' ')}`);
  return o;
}

interface Held {
  readonly rec: HeldConnection;
  readonly stream: EchoStream;
  readonly sock: Socket;
  seq: number;
}

const reasonOf = (e: NodeJS.ErrnoException): BreakReason => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? 'reset' : 'closed');

function breakConn(h: Held, reason: BreakReason, detail: string): void {
  if (h.rec.broken) return;
  h.rec.broken = { reason: h.rec.establishedAt === undefined ? 'connect' : reason, at: Date.now(), detail };
  h.sock.destroy();
}

/** Opens one held connection; its record fills in as it connects, announces and echoes. */
function openHeld(id: number, o: HoldOptions, stopping: () => boolean): Held {
  const rec: HeldConnection = { id, port: undefined, server: undefined, establishedAt: undefined, echoedLines: 0, lastEchoAt: undefined, maxWaitMs: 0, broken: undefined };
  const sock = connect({ host: o.target.host, port: o.target.port });
  const h: Held = { rec, stream: new EchoStream(), sock, seq: 0 };
  sock.setNoDelay(true);
  sock.setTimeout(o.stallMs, () => rec.establishedAt === undefined && breakConn(h, 'connect', 'no connection or announcement in time'));
  sock.on('connect', () => (rec.port = sock.localPort));
  sock.on('data', (d: Buffer) => {
    const oldest = h.stream.oldestWaiting();
    if (oldest !== undefined) rec.maxWaitMs = Math.max(rec.maxWaitMs, Date.now() - oldest);
    if (!h.stream.received(d)) return breakConn(h, 'mismatch', `unexpected bytes ${JSON.stringify(d.toString('utf8').slice(0, 60))}`);
    if (h.stream.server === undefined) return;
    rec.echoedLines = h.stream.echoedLines;
    rec.lastEchoAt = Date.now();
    if (rec.establishedAt === undefined) {
      rec.server = h.stream.server;
      rec.establishedAt = rec.lastEchoAt;
    }
  });
  sock.on('error', (e: NodeJS.ErrnoException) => breakConn(h, reasonOf(e), e.code ?? e.message));
  sock.on('close', () => !stopping() && breakConn(h, 'closed', 'closed by the peer'));
  return h;
}

/** Every intervalMs: a numbered line on each live connection; a line waiting too long breaks it. */
function tick(held: readonly Held[], o: HoldOptions): void {
  const now = Date.now();
  for (const h of held) {
    if (h.rec.broken || h.rec.establishedAt === undefined) continue;
    const oldest = h.stream.oldestWaiting();
    if (oldest !== undefined) {
      h.rec.maxWaitMs = Math.max(h.rec.maxWaitMs, now - oldest);
      if (now - oldest > o.stallMs) {
        breakConn(h, 'stall', `no echo for ${now - oldest} ms`);
        continue;
      }
    }
    const line = Buffer.from(`conn ${h.rec.id} line ${++h.seq}\n`);
    h.stream.sent(line, now);
    h.sock.write(line);
  }
}

/** One new short request: connect, read the announcement, echo one line, close. */
function probe(o: HoldOptions): Promise<Probe> {
  const start = Date.now();
  return new Promise((resolve) => {
    const stream = new EchoStream();
    const sock = connect({ host: o.target.host, port: o.target.port });
    let settled = false;
    const done = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ start, end: Date.now(), ok });
    };
    const timer = setTimeout(() => done(false), o.requestTimeoutMs);
    sock.on('connect', () => {
      stream.sent(Buffer.from('request\n'), Date.now());
      sock.write('request\n');
    });
    sock.on('data', (d: Buffer) => (!stream.received(d) ? done(false) : stream.oldestWaiting() === undefined && stream.server !== undefined && done(true)));
    sock.on('error', () => done(false));
    sock.on('close', () => done(false));
  });
}

const print = (event: string, body: object): void => emit(`${JSON.stringify({ event, t: Date.now(), ...body })}\n`);

/**
 * `hold TARGET [--connections N] [--interval-ms MS] [--stall-ms MS] [--seconds S] [--request-interval-ms MS]
 * [--request-timeout-ms MS] [--report-ms MS]`: prints `established` (once every connection announced its
 * server or broke), `progress` every report interval, and `summary` after S seconds or on SIGTERM/SIGINT.
 */
export function hold(args: string[]): void {
  const o = holdOptions(args);
  let stopping = false;
  const held = Array.from({ length: o.connections }, (_, i) => openHeld(i + 1, o, () => stopping));
  const probes: Probe[] = [];
  const recs = (): HeldConnection[] => held.map((h) => h.rec);
  let announced = false;
  const ticker = setInterval(() => {
    tick(held, o);
    if (!announced && held.every((h) => h.rec.establishedAt !== undefined || h.rec.broken)) {
      announced = true;
      print('established', { ...summarize(recs(), probes, Date.now()), list: recs() });
    }
  }, o.intervalMs);
  const prober = setInterval(() => void probe(o).then((p) => !stopping && probes.push(p)), o.requestIntervalMs);
  const reporter = setInterval(() => print('progress', summarize(recs(), probes, Date.now())), o.reportMs);
  const finish = (): void => {
    if (stopping) return;
    stopping = true;
    [ticker, prober, reporter].forEach(clearInterval);
    const body = { ...summarize(recs(), probes, Date.now()), list: recs() };
    for (const h of held) h.sock.destroy();
    clearTimeout(timer);
    process.off('SIGTERM', finish).off('SIGINT', finish);
    // the process ends once the summary is out and the last request in flight is answered or timed out
    print('summary', body);
  };
  const timer = setTimeout(finish, o.seconds * 1000);
  process.on('SIGTERM', finish).on('SIGINT', finish);
}
