// `-L -c --json`: /proc/net/ip_vs_conn's entries as a JSON document of the shared schema
// (src/schema/ipvsadm.schema.json, kind "connections").
import { formatAddress } from '../../ipvs/address.js';
import type { Address } from '../../ipvs/address.js';
import { protocolNumber, protocolOfLabel } from '../../ipvs/vocabulary.js';
import { document, namesOf } from '../../table/json.js';
import type { Json } from '../../table/json.js';
import type { NameTable } from '../../table/names.js';
import type { ConnectionEntry } from '../../table/connections.js';

/** `-L -c --json`: the connection entries of /proc/net/ip_vs_conn, in the file's order. */
export function connectionsJson(entries: readonly ConnectionEntry[], names: NameTable | undefined): string {
  return document('connections', {
    connections: entries.map((c) => {
      const proto = protocolOfLabel(c.protocol);
      const number = proto ? protocolNumber(proto) : 0;
      const endpoint = (addr: Address, port: number): Json => ({ address: formatAddress(addr), port, ...namesOf(addr, port, number, names) });
      return {
        protocol: proto ?? c.protocol,
        client: endpoint(c.client, c.clientPort),
        virtual: endpoint(c.virtual, c.virtualPort),
        destination: endpoint(c.dest, c.destPort),
        state: c.state,
        expires: c.expires,
        ...(c.pe ? { pe: { name: c.pe.name, data: c.pe.data } } : {}),
      };
    }),
  });
}
