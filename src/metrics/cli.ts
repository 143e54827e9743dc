// `ipvsadm metrics [--listen [ADDR:]PORT]`: the IPVS state as Prometheus text (exposition.ts),
// printed once, or served over HTTP at /metrics (loopback unless an address is given), read
// anew from the kernel (netlink, /proc/net/ip_vs_stats, /proc/net/ip_vs_conn) at every scrape,
// until SIGTERM or SIGINT. Statuses: METRICS_EXIT.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Command } from 'commander';
import { METRICS_EXIT } from '../app/exit-status.js';
import type { Io } from '../app/io.js';
import { frontEnd, parseFrontEnd } from '../app/front-end.js';
import { openClient } from '../app/open-client.js';
import { failureText, kernelFailureOrThrow } from '../core/failure.js';
import { onStopSignals } from '../core/signals.js';
import { parseConnectionFile } from '../table/connections.js';
import type { ConnectionEntry } from '../table/connections.js';
import { exposition, parseGlobalStats } from './exposition.js';

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

function program(io: Io): Command {
  return frontEnd('ipvsadm metrics', io)
    .description('Print the IPVS table, its counters and the timeouts in the Prometheus text format, or serve them over HTTP at /metrics.')
    .option('--listen <[addr:]port>', 'serve http://ADDR:PORT/metrics (ADDR defaults to 127.0.0.1; [::1]:PORT for IPv6) until SIGTERM or SIGINT');
}

const say = (io: Io, text: string): void => io.stderr(`ipvsadm metrics: ${text}\n`);

/** `9565`, `0.0.0.0:9565`, `[::1]:9565` → host and port; undefined when it is none of these. */
export function parseListen(text: string): { host: string; port: number } | undefined {
  const m = /^(?:(\[[0-9A-Fa-f:.]+\]|[0-9.]+|[A-Za-z0-9.-]+):)?(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  const host = m[1] === undefined ? '127.0.0.1' : m[1].replace(/^\[|\]$/g, '');
  return { host, port };
}

function readGlobal(): ReturnType<typeof parseGlobalStats> {
  try {
    return parseGlobalStats(readFileSync('/proc/net/ip_vs_stats', 'utf8'));
  } catch {
    return undefined;
  }
}

/** The connection table's entries; undefined when the file cannot be read or is empty. */
function readConnections(): ConnectionEntry[] | undefined {
  try {
    return parseConnectionFile(readFileSync('/proc/net/ip_vs_conn', 'utf8'));
  } catch {
    return undefined;
  }
}

/** One exposition from a fresh client (a scrape must not share a socket with another). */
async function scrape(io: Io): Promise<string> {
  const client = await openClient(io, { dumpsTable: true });
  try {
    return exposition(await client.snapshot(), readGlobal(), readConnections());
  } finally {
    client.close();
  }
}

export async function runMetricsCli(argv: readonly string[], io: Io): Promise<number> {
  const cmd = program(io);
  const ended = parseFrontEnd(cmd, argv, io, METRICS_EXIT.USAGE);
  if (ended !== undefined) return ended;
  const listen = cmd.opts<{ listen?: string }>().listen;
  if (listen === undefined) {
    try {
      io.stdout(await scrape(io));
      return METRICS_EXIT.OK;
    } catch (e) {
      say(io, `cannot read IPVS: ${kernelFailureOrThrow(e)}`);
      return METRICS_EXIT.FAILED;
    }
  }
  const at = parseListen(listen);
  if (!at) {
    say(io, `--listen ${listen}: expected PORT, ADDR:PORT or [ADDR6]:PORT`);
    return METRICS_EXIT.USAGE;
  }
  return serve(io, at.host, at.port);
}

function serve(io: Io, host: string, port: number): Promise<number> {
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('ipvsadm metrics: see /metrics\n');
      return;
    }
    scrape(io).then(
      (body) => res.writeHead(200, { 'Content-Type': CONTENT_TYPE }).end(req.method === 'HEAD' ? undefined : body),
      (e: unknown) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`cannot read IPVS: ${failureText(e) ?? String(e)}\n`),
    );
  };
  return new Promise((resolve) => {
    const server = createServer(handle);
    let stopListening = (): void => undefined;
    const stop = (): void => {
      stopListening();
      server.close(() => resolve(METRICS_EXIT.OK));
      server.closeAllConnections();
    };
    server.once('error', (e: NodeJS.ErrnoException) => {
      say(io, `cannot listen on ${host}:${port}: ${e.code ?? e.message}`);
      resolve(METRICS_EXIT.FAILED);
    });
    server.listen(port, host, () => {
      stopListening = onStopSignals(stop, ['SIGTERM', 'SIGINT']);
      const shown = host.includes(':') ? `[${host}]` : host;
      io.stderr(`ipvsadm metrics: serving http://${shown}:${port}/metrics\n`);
    });
  });
}
