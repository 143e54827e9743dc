// Sends the sync messages of connections FROM to TO - 1 (test/bench/sync-messages.mjs) to the IPVS
// sync group 224.0.0.81:8848 out of the interface holding ADDRESS, as a master director's sync
// daemon would: `node test/bench/sync-send.mjs ADDRESS SYNCID FROM TO TIMEOUT` (run in the
// master's namespace; the bench's conns case does).
import { createSocket } from 'node:dgram';
import { syncMessages } from './sync-messages.mjs';

const [address, syncid, from, to, timeout] = process.argv.slice(2);
const socket = createSocket('udp4');
await new Promise((resolve) => socket.bind({ address, port: 0 }, resolve));
socket.setMulticastInterface(address);
socket.setMulticastTTL(1);
socket.setMulticastLoopback(false);
const messages = syncMessages(Number(syncid), Number(from), Number(to), Number(timeout));
for (let i = 0; i < messages.length; i++) {
  await new Promise((resolve, reject) => socket.send(messages[i], 8848, '224.0.0.81', (e) => (e ? reject(e) : resolve())));
  // a pause now and then so that the backup's thread keeps up with its socket's buffer
  if (i % 32 === 31) await new Promise((resolve) => setTimeout(resolve, 5));
}
socket.close();
console.log(messages.length);
