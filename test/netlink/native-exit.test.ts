// A timed-out request must not keep the process alive: with the real native socket (dist/, which
// `npm test` builds first), a child whose sends never complete gets NetlinkTimeoutError and then
// exits on its own, because the connection closes the socket (its poll handle holds the loop).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { reliabilityTest } from '../support/reliability.js';

const dist = (path: string): string => fileURLToPath(new URL(`../../dist/netlink/${path}`, import.meta.url));

const CHILD = `
import { openNativeTransport } from ${JSON.stringify(dist('native.js'))};
import { NetlinkConnection } from ${JSON.stringify(dist('connection.js'))};
const t = await openNativeTransport(16);
const silent = { port: t.port, listen: (d, e) => t.listen(d, e), close: () => t.close(), send: () => new Promise(() => {}) };
const conn = new NetlinkConnection(silent, { timeoutMs: 200 });
await conn.request({ type: 0x10, cmd: 3, payload: new Uint8Array([3, 1, 0, 0]) }).catch((e) => console.log(e.name));
`;

it('after a timeout the process exits by itself (the native socket is closed)', () => {
  reliabilityTest({ area: 'fault', item: 'netlink timeouts injected' });
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD], { encoding: 'utf8', timeout: 10_000 });
  expect({ stdout: r.stdout, stderr: r.stderr, status: r.status, signal: r.signal }).toEqual({ stdout: 'NetlinkTimeoutError\n', stderr: '', status: 0, signal: null });
});
