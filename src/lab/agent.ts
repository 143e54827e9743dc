// The lab's traffic agent, run by `ip netns exec` inside the sandbox kernel's namespaces only:
//   serve NAME [--tcp P,P] [--udp P,P] [--max-seconds S]  HTTP answering NAME, UDP echo of NAME
//   client [--count N] TARGET...  (TARGET = tcp|udp:ADDR:PORT, IPv6 as [ADDR]) → one JSON line
//   echo NAME --tcp P,P / hold TARGET ...  long-lived echo connections (echo.ts)
// Every operation is bounded (OP_TIMEOUT_MS); the server ends by itself after --max-seconds.
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { createServer, request } from 'node:http';
import { formatTarget, parseTarget } from './target.js';
import type { Target } from './target.js';
import { emit, fail } from './agent-io.js';
import { option, ports } from './agent-args.js';
import { echoServe, hold } from './echo.js';

const OP_TIMEOUT_MS = 3000;

function serve(args: string[]): void {
  const name = args.shift() ?? 'unnamed';
  const tcp = ports(option(args, '--tcp', ''));
  const udp = ports(option(args, '--udp', ''));
  const maxSeconds = Number(option(args, '--max-seconds', '900'));
  let pending = tcp.length + udp.length;
  const ready = (): void => void (--pending === 0 && emit('ready\n'));
  const closers: (() => void)[] = [];
  for (const port of tcp) {
    const server = createServer((_req, res) => res.end(`${name}\n`));
    server.keepAliveTimeout = 1;
    server.listen({ host: '::', port, ipv6Only: false }, ready);
    closers.push(() => server.close() && server.closeAllConnections());
  }
  for (const port of udp) {
    const sock = createSocket({ type: 'udp6', ipv6Only: false });
    sock.on('message', (_msg, peer) => sock.send(name, peer.port, peer.address));
    sock.bind(port, '::', ready);
    closers.push(() => sock.close());
  }
  if (pending === 0) emit('ready\n');
  setTimeout(() => closers.forEach((close) => close()), maxSeconds * 1000);
}

function httpGet(t: Target): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: t.host, port: t.port, path: '/', agent: false, timeout: OP_TIMEOUT_MS }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body.trim()));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

function udpAsk(sock: Socket, t: Target): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (sock.off('message', onMessage), reject(new Error('timed out'))), OP_TIMEOUT_MS);
    const onMessage = (msg: Buffer): void => (clearTimeout(timer), resolve(msg.toString()));
    sock.once('message', onMessage);
    sock.send('hello', t.port, t.host);
  });
}

/** Sends `count` requests to each target in turn; answers counted per real-server name. */
async function client(args: string[]): Promise<void> {
  const count = Number(option(args, '--count', '20'));
  const result: Record<string, Record<string, number>> = {};
  for (const t of args.map(parseTarget)) {
    const tally: Record<string, number> = {};
    result[formatTarget(t)] = tally;
    for (let i = 0; i < count; i++) {
      // A fresh UDP socket (new source port) per request, so each is a new IPVS connection.
      const sock = t.proto === 'udp' ? createSocket(t.host.includes(':') ? 'udp6' : 'udp4') : undefined;
      try {
        const who = sock ? await udpAsk(sock, t) : await httpGet(t);
        tally[who] = (tally[who] ?? 0) + 1;
      } catch {
        tally['(failed)'] = (tally['(failed)'] ?? 0) + 1;
      } finally {
        sock?.close();
      }
    }
  }
  emit(`${JSON.stringify(result)}\n`);
}

async function agentMain(argv: string[]): Promise<void> {
  const [verb, ...rest] = argv;
  if (verb === 'serve') return serve(rest);
  if (verb === 'client') return client(rest);
  if (verb === 'echo') return echoServe(rest);
  if (verb === 'hold') return hold(rest);
  throw new Error('usage: agent serve NAME [--tcp P,..] [--udp P,..] | agent client [--count N] TARGET... | agent echo NAME --tcp P,.. | agent hold TARGET [options]');
}

agentMain(process.argv.slice(2)).catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)));
