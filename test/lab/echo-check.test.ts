// The held-connection checker (echo-check.ts): a byte-exact echo after the server's name line,
// what waits for its echo, the periods in which new requests failed, and the summary's counts.
import { describe, expect, it } from 'vitest';
import { EchoStream, outagesOf, summarize } from '../../src/lab/echo-check.js';
import type { HeldConnection, Probe } from '../../src/lab/echo-check.js';

const b = (s: string): Buffer => Buffer.from(s);

describe('EchoStream', () => {
  it('reads the name line, split over chunks, then accepts the exact echo in pieces', () => {
    const s = new EchoStream();
    s.sent(b('line 1\n'), 100);
    s.sent(b('line 2\n'), 200);
    expect(s.received(b('rs'))).toBe(true);
    expect(s.server).toBeUndefined();
    expect(s.received(b('2\nline'))).toBe(true);
    expect(s.server).toBe('rs2');
    expect(s.oldestWaiting()).toBe(100);
    expect(s.received(b(' 1\nli'))).toBe(true);
    expect(s.echoedLines).toBe(1);
    expect(s.oldestWaiting()).toBe(200);
    expect(s.received(b('ne 2\n'))).toBe(true);
    expect(s.echoedLines).toBe(2);
    expect(s.echoedBytes).toBe(14);
    expect(s.oldestWaiting()).toBeUndefined();
  });

  it('a changed byte, bytes never sent, or an endless name line are mismatches', () => {
    const changed = new EchoStream();
    changed.sent(b('line 1\n'), 0);
    expect(changed.received(b('rs1\nline 2\n'))).toBe(false);
    const extra = new EchoStream();
    extra.sent(b('a\n'), 0);
    expect(extra.received(b('rs1\na\nb\n'))).toBe(false);
    const long = new EchoStream();
    expect(long.received(Buffer.alloc(300, 0x41))).toBe(false);
  });
});

const probe = (start: number, ok: boolean, end = start + 10): Probe => ({ start, end, ok });

describe('outagesOf', () => {
  it('a run of failed requests lasts from the first failure to the answer of the next success', () => {
    const probes = [probe(0, true), probe(200, false), probe(400, false), probe(600, true, 650), probe(800, true)];
    expect(outagesOf(probes, 1000)).toEqual([{ from: 200, to: 650, ms: 450, failed: 2 }]);
  });

  it('order does not matter; an outage still running lasts until now', () => {
    const probes = [probe(600, false), probe(0, false), probe(200, true, 300), probe(400, true)];
    expect(outagesOf(probes, 1000)).toEqual([
      { from: 0, to: 300, ms: 300, failed: 1 },
      { from: 600, to: undefined, ms: 400, failed: 1 },
    ]);
  });

  it('no failure, no outage', () => {
    expect(outagesOf([probe(0, true), probe(100, true)], 500)).toEqual([]);
  });
});

function conn(id: number, over: Partial<HeldConnection>): HeldConnection {
  return { id, port: 40000 + id, server: 'rs1', establishedAt: 1, echoedLines: 10, lastEchoAt: 990, maxWaitMs: 5, broken: undefined, ...over };
}

describe('summarize', () => {
  it('counts alive, broken by reason, servers of the live ones, and the longest refusal', () => {
    const conns = [
      conn(1, { server: 'rs1', maxWaitMs: 3200, lastEchoAt: 700 }),
      conn(2, { server: 'rs2' }),
      conn(3, { server: 'rs2', broken: { reason: 'reset', at: 5, detail: 'ECONNRESET' } }),
      conn(4, { server: undefined, establishedAt: undefined, echoedLines: 0, broken: { reason: 'connect', at: 5, detail: 'x' } }),
    ];
    const s = summarize(conns, [probe(0, true), probe(100, false), probe(200, true, 700), probe(900, false)], 1000);
    expect(s).toMatchObject({
      connections: 4,
      established: 3,
      alive: 2,
      broken: 2,
      brokenBy: { reset: 1, connect: 1 },
      servers: { rs1: 1, rs2: 1 },
      echoedLines: 30,
      maxWaitMs: 3200,
      stalestEchoMs: 300,
      requests: { sent: 4, ok: 2, failed: 2 },
      refusing: true,
      longestRefusedMs: 600,
    });
  });

  it('not refusing once a request after the last failure succeeded', () => {
    const s = summarize([conn(1, {})], [probe(0, false), probe(100, true)], 500);
    expect(s.refusing).toBe(false);
    expect(s.alive).toBe(1);
  });
});
