// The route and neighbour codec: RTM_GETROUTE asks for one host (family, /32 or /128, RTA_DST);
// replies decode type, gateway, output interface and source; neighbours of other families are
// skipped; short headers are named errors.
import { describe, expect, it } from 'vitest';
import { AttributeWriter } from '../../src/netlink/attributes.js';
import { MalformedMessageError } from '../../src/netlink/errors.js';
import { decodeNeighbour, decodeRoute, neighboursRequest, routeGetRequest, RouteMsg, RouteType } from '../../src/rtnl/route.js';

const withHeader = (header: number[], attrs: Uint8Array): Uint8Array => Uint8Array.from([...header, ...attrs]);

describe('rtnl-route', () => {
  it('asks for the route to one IPv4 or IPv6 host', () => {
    const v4 = routeGetRequest(Uint8Array.of(198, 51, 100, 1));
    expect(v4.type).toBe(RouteMsg.GETROUTE);
    expect([...v4.payload]).toEqual([2, 32, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 1, 0, 198, 51, 100, 1]);
    const v6 = routeGetRequest(new Uint8Array(16).fill(1));
    expect([...v6.payload.subarray(0, 2)]).toEqual([10, 128]);
    expect(v6.payload.length).toBe(12 + 20);
    expect(neighboursRequest()).toEqual({ type: RouteMsg.GETNEIGH, payload: new Uint8Array(12) });
  });

  it('decodes a route reply', () => {
    const attrs = new AttributeWriter().bytes(1, Uint8Array.of(203, 0, 113, 3)).u32(4, 7).bytes(5, Uint8Array.of(198, 51, 100, 254)).bytes(7, Uint8Array.of(198, 51, 100, 9)).finish();
    const r = decodeRoute(withHeader([2, 32, 0, 0, 254, 2, 0, RouteType.UNICAST, 0, 0, 0, 0], attrs));
    expect(r).toEqual({ type: RouteType.UNICAST, oif: 7, gateway: Uint8Array.of(198, 51, 100, 254), prefsrc: Uint8Array.of(198, 51, 100, 9) });
    expect(decodeRoute(withHeader([2, 32, 0, 0, 255, 2, 254, RouteType.LOCAL, 0, 0, 0, 0], new Uint8Array(0)))).toEqual({ type: RouteType.LOCAL });
    expect(() => decodeRoute(new Uint8Array(5))).toThrow(MalformedMessageError);
  });

  it('decodes neighbours of IPv4 and IPv6, and skips others', () => {
    const ndmsg = (family: number, index: number, state: number): number[] => {
      const b = new Uint8Array(12);
      const dv = new DataView(b.buffer);
      b[0] = family;
      dv.setInt32(4, index, true);
      dv.setUint16(8, state, true);
      return [...b];
    };
    const dst = new AttributeWriter().bytes(1, Uint8Array.of(198, 51, 100, 1)).finish();
    expect(decodeNeighbour(withHeader(ndmsg(2, 3, 0x20), dst))).toEqual({ family: 2, index: 3, state: 0x20, dst: Uint8Array.of(198, 51, 100, 1) });
    expect(decodeNeighbour(withHeader(ndmsg(7, 3, 0x20), dst))).toBeUndefined();
    expect(decodeNeighbour(withHeader(ndmsg(2, 3, 0x20), new Uint8Array(0)))).toBeUndefined();
    expect(() => decodeNeighbour(new Uint8Array(11))).toThrow(MalformedMessageError);
  });
});
