// The scrape's defaults and its HTTP side: which families --collect gives and how many series a
// large table makes, one read shared by concurrent scrapes, 503 (no body) when the read outlasts
// the scrape timeout, the body streamed in chunks equal to the one-shot text.
import { describe, expect, it } from 'vitest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { COLLECTABLE, DEFAULT_COLLECT, exposition, expositionChunks, parseCollect } from '../../src/metrics/exposition.js';
import type { Reading } from '../../src/metrics/exposition.js';
import { handler, scrapeTimeoutMs, sharedRead, takesGzip } from '../../src/metrics/cli.js';
import { PassThrough } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import type { Snapshot } from '../../src/ipvs/model.js';
import { dest, entry, svc } from '../support/format-fixtures.js';

/** `n` services of `d` real servers each, as the bench builds them. */
function table(n: number, d: number): Snapshot {
  const services = [];
  for (let i = 0; i < n; i++) {
    const vip = svc(6, `192.0.2.${1 + (i % 250)}`, 1000 + Math.floor(i / 250), { stats: { conns: BigInt(i), inbytes: 2n ** 63n + BigInt(i) } });
    services.push(entry(vip, ...Array.from({ length: d }, (_, k) => dest(`198.51.100.${1 + ((i + 7 * k) % 200)}`, 8080 + k, { forwarding: 'masq', weight: k, stats: { outpkts: BigInt(k) } }))));
  }
  return { info: { version: 0x10201, connTabSize: 4096 }, timeouts: { tcp: 900, tcpFin: 120, udp: 300 }, daemons: [], services };
}
const GLOBAL = { conns: 1n, inpkts: 2n, outpkts: 3n, inbytes: 4n, outbytes: 5n, cps: 0n, inpps: 0n, outpps: 0n, inbps: 0n, outbps: 0n };
const samples = (text: string): string[] => text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
const families = (text: string): string[] => text.split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]!);
/** info, services, destinations, 3 timeouts, 2 daemon roles, 10 global */
const FIXED = 18;

describe('series defaults', () => {
  it('by default: counters, connections and weight per real server; no rates, no thresholds', () => {
    expect([...DEFAULT_COLLECT].sort()).toEqual(['connections', 'counters', 'weight']);
    const names = families(exposition(table(1, 1), GLOBAL));
    expect(names.filter((n) => n.includes('per_second'))).toEqual(['ipvs_connections_per_second', 'ipvs_packets_per_second', 'ipvs_bytes_per_second']);
    expect(names.filter((n) => n.startsWith('ipvs_destination_'))).toEqual([
      'ipvs_destination_connections_total',
      'ipvs_destination_packets_total',
      'ipvs_destination_bytes_total',
      'ipvs_destination_active_connections',
      'ipvs_destination_inactive_connections',
      'ipvs_destination_persistent_connections',
      'ipvs_destination_weight',
    ]);
  });

  it.each([
    ['default', DEFAULT_COLLECT, 5, 9],
    ['all', new Set(COLLECTABLE), 10, 16],
    ['none', new Set<never>(), 5, 0],
    ['counters', new Set(['counters'] as const), 5, 5],
    ['rates', new Set(['rates'] as const), 10, 5],
    ['thresholds', new Set(['thresholds'] as const), 5, 2],
  ])('%s: series per service and per real server, 2,000 × 4', (_, collect, perService, perServer) => {
    const text = exposition(table(2000, 4), GLOBAL, undefined, collect);
    expect(samples(text)).toHaveLength(FIXED + 2000 * perService + 8000 * perServer);
  });

  it('a 10,000 × 4 table by default: 410,018 series, every one unique, counters exact', () => {
    const text = exposition(table(10_000, 4), GLOBAL);
    const lines = samples(text);
    expect(lines).toHaveLength(410_018);
    expect(new Set(lines.map((l) => l.slice(0, l.lastIndexOf(' ')))).size).toBe(410_018);
    expect(text).toContain('ipvs_service_bytes_total{service="tcp 192.0.2.250:1039",protocol="tcp",address="192.0.2.250",port="1039",fwmark="",family="inet",scheduler="wlc",direction="in"} 9223372036854785807\n');
  });

  it('parseCollect: names, all, none; an unknown name is refused', () => {
    expect([...(parseCollect('counters,rates') as Set<string>)]).toEqual(['counters', 'rates']);
    expect(parseCollect('all')).toEqual(new Set(COLLECTABLE));
    expect(parseCollect('none')).toEqual(new Set());
    expect(parseCollect('counters,rate')).toMatch(/unknown family 'rate'/);
  });

  it('chunks of about a megabyte that join to the whole text', () => {
    const reading = { snap: table(3000, 4), global: GLOBAL };
    const chunks: Buffer[] = [];
    for (const c of expositionChunks(reading)) chunks.push(Buffer.from(c)); // copied: the chunks share one buffer
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.slice(0, -1).every((c) => c.length >= 1 << 20 && c.length < (1 << 20) + 1000 && c.at(-1) === 0x0a)).toBe(true);
    expect(Buffer.concat(chunks).toString('latin1')).toBe(exposition(reading.snap, GLOBAL));
  });
});

/** A response that records what the handler did. */
function response(): ServerResponse & { status?: number; body: string; ended: boolean } {
  const r = {
    body: '',
    ended: false,
    destroyed: false,
    status: undefined as number | undefined,
    writeHead(status: number) {
      if (r.status !== undefined) throw new Error('headers twice');
      r.status = status;
      return r;
    },
    write(chunk: string | Uint8Array, written?: () => void) {
      if (r.status === undefined) throw new Error('body before headers');
      r.body += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('latin1');
      if (written) setImmediate(written);
      return true;
    },
    once() {
      return r;
    },
    end(chunk?: string | Uint8Array) {
      if (chunk !== undefined) r.write(chunk);
      r.ended = true;
      return r;
    },
  };
  return r as unknown as ServerResponse & { status?: number; body: string; ended: boolean };
}
const get = (headers: Record<string, string> = {}, url = '/metrics'): IncomingMessage => ({ url, method: 'GET', headers }) as unknown as IncomingMessage;

describe('scrapes over HTTP', () => {
  const reading: Reading = { snap: table(20, 2), global: GLOBAL };

  it('concurrent scrapes share one read; a later scrape reads anew', async () => {
    let reads = 0;
    let release = (): void => undefined;
    const shared = sharedRead(() => new Promise<Reading>((resolve) => ((reads++, (release = () => resolve(reading))))));
    const handle = handler(shared, DEFAULT_COLLECT);
    const [a, b, c] = [response(), response(), response()];
    const done = [handle(get(), a), handle(get(), b), handle(get(), c)];
    await new Promise((r) => setTimeout(r, 10));
    release();
    await Promise.all(done);
    expect(reads).toBe(1);
    expect([a.status, b.status, c.status]).toEqual([200, 200, 200]);
    expect(a.body).toBe(exposition(reading.snap, GLOBAL));
    expect(b.body).toBe(a.body);
    const d = response();
    const later = handle(get(), d);
    release();
    await later;
    expect(reads).toBe(2);
  });

  it('a read longer than 90% of the scrape timeout: 503 and no metrics, never half a body', async () => {
    const handle = handler(() => new Promise<Reading>(() => undefined), DEFAULT_COLLECT);
    const res = response();
    await handle(get({ 'x-prometheus-scrape-timeout-seconds': '0.05' }), res);
    expect(res.status).toBe(503);
    expect(res.ended).toBe(true);
    expect(res.body).toMatch(/^ipvsadm metrics: reading IPVS took longer than 90% of the scrape timeout \(0\.05 s\)\n$/);
  });

  it('a read within the timeout, a failed read, another path', async () => {
    const ok = response();
    await handler(async () => reading, new Set(COLLECTABLE))(get({ 'x-prometheus-scrape-timeout-seconds': '10' }), ok);
    expect(ok.status).toBe(200);
    expect(ok.body).toBe(exposition(reading.snap, GLOBAL, undefined, new Set(COLLECTABLE)));
    const failed = response();
    await handler(() => Promise.reject(new Error('boom')), DEFAULT_COLLECT)(get(), failed);
    expect(failed.status).toBe(500);
    const other = response();
    await handler(async () => reading, DEFAULT_COLLECT)(get({}, '/'), other);
    expect(other.status).toBe(404);
  });

  it('gzip when Accept-Encoding takes it (Prometheus sends gzip): the same text, compressed', async () => {
    const sink = new PassThrough();
    const parts: Buffer[] = [];
    sink.on('data', (d: Buffer) => parts.push(d));
    const ended = new Promise((resolve) => sink.on('end', resolve));
    let headers: Record<string, string> = {};
    const res = Object.assign(sink, {
      writeHead(status: number, h: Record<string, string>) {
        headers = { status: String(status), ...h };
        return res;
      },
    }) as unknown as ServerResponse;
    await handler(async () => reading, DEFAULT_COLLECT)(get({ 'accept-encoding': 'gzip' }), res);
    await ended;
    expect(headers).toMatchObject({ status: '200', 'Content-Encoding': 'gzip' });
    expect(gunzipSync(Buffer.concat(parts)).toString('latin1')).toBe(exposition(reading.snap, GLOBAL));
    expect([takesGzip('gzip'), takesGzip('deflate, gzip;q=0.5'), takesGzip('gzip;q=0'), takesGzip('identity'), takesGzip(undefined)]).toEqual([true, true, false, false, false]);
  });

  it('scrapeTimeoutMs reads the header', () => {
    expect(scrapeTimeoutMs('14.5')).toBe(14_500);
    expect(scrapeTimeoutMs(undefined)).toBeUndefined();
    expect(scrapeTimeoutMs('x')).toBeUndefined();
    expect(scrapeTimeoutMs('0')).toBeUndefined();
  });
});
