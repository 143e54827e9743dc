// IPVS sync protocol version 1 messages (what a master director multicasts to its backups), built
// here so that the bench can fill a backup's connection table with many entries in seconds: each
// message carries up to 255 IPv4 connections, and the backup's sync daemon adds each as an entry.

/** Bytes of the version 1 message header: reserved 0, syncid, size, count, version 1, spare 0. */
export const HEADER_BYTES = 8;
/** Bytes of one IPv4 connection (type 0) without options. */
export const CONN_BYTES = 36;
/** The count field is one byte. */
export const MAX_CONNS_PER_MESSAGE = 255;
/** An interface MTU that carries a full message (IPv4 and UDP headers: 28 bytes). */
export const SYNC_MTU = HEADER_BYTES + MAX_CONNS_PER_MESSAGE * CONN_BYTES + 28;

const PROTO = { TCP: 6, UDP: 17 };
// the kernel's TCP state numbers (its sync messages carry them): ESTABLISHED 1, FIN_WAIT 4,
// TIME_WAIT 5, CLOSE_WAIT 7; UDP has one state, 0
const TCP_STATES = [1, 1, 1, 1, 1, 1, 1, 4, 5, 7];

/** Dotted IPv4 to its 32-bit value. */
const ipv4 = (text) => text.split('.').reduce((v, o) => v * 256 + Number(o), 0);

/**
 * Connection number `i` of a made-up director's table: clients from 198.18.0.0/15 (each
 * (client, port) pair once for i < 131072 × 60000), 50 virtual addresses in 192.0.2.0/24 on ports
 * 80 and 443, 200 real servers in 198.51.100.0/24 on 8080; one in ten UDP (port 53 on both sides),
 * the TCP ones mostly ESTABLISHED.
 */
export function connection(i, timeout) {
  const udp = i % 10 === 9;
  return {
    protocol: udp ? PROTO.UDP : PROTO.TCP,
    state: udp ? 0 : TCP_STATES[Math.floor(i / 10) % TCP_STATES.length],
    client: ipv4('198.18.0.0') + (i % 131072),
    clientPort: 1024 + Math.floor(i / 131072),
    virtual: ipv4('192.0.2.1') + (i % 50),
    virtualPort: udp ? 53 : i % 3 === 0 ? 443 : 80,
    dest: ipv4('198.51.100.1') + (i % 200),
    destPort: udp ? 53 : 8080,
    timeout,
  };
}

/** One message with the connections `conns` (at most 255), for sync id `syncid`. */
export function syncMessage(syncid, conns) {
  if (conns.length === 0 || conns.length > MAX_CONNS_PER_MESSAGE) throw new RangeError(`a message holds 1 to 255 connections, not ${conns.length}`);
  const size = HEADER_BYTES + conns.length * CONN_BYTES;
  const b = Buffer.alloc(size);
  b.writeUInt8(0, 0);
  b.writeUInt8(syncid, 1);
  b.writeUInt16BE(size, 2);
  b.writeUInt8(conns.length, 4);
  b.writeUInt8(1, 5);
  conns.forEach((c, n) => {
    const o = HEADER_BYTES + n * CONN_BYTES;
    b.writeUInt8(0, o); // type 0: IPv4
    b.writeUInt8(c.protocol, o + 1);
    b.writeUInt16BE(CONN_BYTES, o + 2); // version 0 in the top 4 bits, size below
    b.writeUInt32BE(0, o + 4); // flags: masquerading, no options
    b.writeUInt16BE(c.state, o + 8);
    b.writeUInt16BE(c.clientPort, o + 10);
    b.writeUInt16BE(c.virtualPort, o + 12);
    b.writeUInt16BE(c.destPort, o + 14);
    b.writeUInt32BE(0, o + 16); // fwmark
    b.writeUInt32BE(c.timeout, o + 20);
    b.writeUInt32BE(c.client, o + 24);
    b.writeUInt32BE(c.virtual, o + 28);
    b.writeUInt32BE(c.dest, o + 32);
  });
  return b;
}

/** The messages for connections `from` to `to` - 1 (full messages but the last). */
export function syncMessages(syncid, from, to, timeout) {
  const out = [];
  for (let i = from; i < to; i += MAX_CONNS_PER_MESSAGE) {
    const conns = [];
    for (let j = i; j < Math.min(to, i + MAX_CONNS_PER_MESSAGE); j++) conns.push(connection(j, timeout));
    out.push(syncMessage(syncid, conns));
  }
  return out;
}
