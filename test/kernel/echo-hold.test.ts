// The lab agent's echo workload in the kernel, two namespaces on a veth, no IPVS: `hold` sees every
// connection established with the server's name, keeps them through a 4 s link cut (and measures the
// refusal of new requests), and counts every connection broken when the echo server dies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoServer, startHold } from '../../src/lab/hold-control.js';
import type { EchoServer } from '../../src/lab/hold-control.js';
import { assertInGuest, createNetns, deleteNetns, sh } from './support/guest.js';

assertInGuest();

let client: string;
let server: string;
let echo: EchoServer | undefined;
const TARGET = { proto: 'tcp', host: '192.0.2.2', port: 7000 } as const;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

beforeAll(() => {
  client = createNetns('ehc');
  server = createNetns('ehs');
  sh(`ip -n ${client} link add eth0 type veth peer name eth0 netns ${server}`);
  sh(`ip -n ${client} addr add 192.0.2.1/24 dev eth0 && ip -n ${client} link set eth0 up`);
  sh(`ip -n ${server} addr add 192.0.2.2/24 dev eth0 && ip -n ${server} link set eth0 up`);
});
afterAll(async () => {
  await echo?.stop();
  deleteNetns(client);
  deleteNetns(server);
});

describe('agent echo + hold', () => {
  it('holds 5 connections through a link cut, then counts them all broken when the server dies', async () => {
    echo = await startEchoServer(server, 'srv', [7000], 120);
    const run = startHold(client, TARGET, { connections: 5, stallMs: 20_000, requestIntervalMs: 200, requestTimeoutMs: 2000, reportMs: 500 });
    const est = await run.waitFor((e) => e.event === 'established', 30_000);
    expect(est).toMatchObject({ connections: 5, established: 5, alive: 5, servers: { srv: 5 } });
    expect(est.list?.every((c) => typeof c.port === 'number' && c.server === 'srv')).toBe(true);
    await sleep(1500);

    const cut = Date.now();
    sh(`ip -n ${server} link set eth0 down`);
    // longer than a request's 2 s: the requests started early in the cut fail (a SYN retried at 1 s and 3 s)
    await sleep(4000);
    sh(`ip -n ${server} link set eth0 up`);
    const back = await run.waitFor((e) => e.event === 'progress' && e.t > cut + 4000 && !e.refusing && e.outages.length > 0, 30_000);
    expect(back).toMatchObject({ alive: 5, broken: 0 });
    const outage = back.outages.find((o) => o.from >= cut - 2500)!;
    expect(outage).toBeDefined();
    expect(outage.ms).toBeGreaterThanOrEqual(2000);
    const lines = back.echoedLines;
    await run.waitFor((e) => e.event === 'progress' && e.echoedLines > lines + 20 && e.stalestEchoMs < 1000, 30_000);
    console.log(`echo-hold: a 4 s link cut: 5 of 5 connections held, new requests refused for ${(outage.ms / 1000).toFixed(1)} s, longest echo wait ${back.maxWaitMs} ms`);

    await echo.stop();
    echo = undefined;
    const gone = await run.waitFor((e) => e.event === 'progress' && e.broken === 5, 20_000);
    const summary = await run.stop();
    expect(summary).toMatchObject({ connections: 5, established: 5, alive: 0, broken: 5, refusing: true });
    expect(Object.keys(gone.brokenBy).every((r) => r === 'closed' || r === 'reset')).toBe(true);
    console.log(`echo-hold: echo server killed: ${summary.broken} of 5 broken (${JSON.stringify(summary.brokenBy)})`);
  });
});
