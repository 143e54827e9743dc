// The tunnel and checksum words of every output, and what each prints for a code the kernel
// reported without a name (as each printed it before the values were typed).
import { describe, expect, it } from 'vitest';
import { tunnelColumn, tunnelJson, tunnelLabel, tunnelOptions, tunnelPlanText } from '../../src/fields/words.js';
import type { ChecksumMode, DestinationConfig, Reported, TunnelType } from '../../src/ipvs/model.js';

const tunnel = (tunnelType: Reported<TunnelType>, tunnelPort: number, checksum: Reported<ChecksumMode>): Pick<DestinationConfig, 'forwarding' | 'tunnelType' | 'tunnelPort' | 'checksum'> => ({
  forwarding: 'tunnel',
  tunnelType,
  tunnelPort,
  checksum,
});
const all = (d: ReturnType<typeof tunnel>) => [tunnelColumn(d), tunnelOptions(d), tunnelJson(d), tunnelPlanText(d), tunnelLabel(d)];

describe('tunnel words', () => {
  it('each type in the five outputs', () => {
    expect(all(tunnel('ipip', 0, 'nocsum'))).toEqual(['ipip', ' --tun-type ipip', { type: 'ipip' }, 'ipip', 'ipip']);
    expect(all(tunnel('gue', 6080, 'csum'))).toEqual(['gue:6080:+c', ' --tun-type gue --tun-port 6080 --tun-csum', { type: 'gue', port: 6080, checksum: 'csum' }, 'gue port 6080 csum', 'gue']);
    expect(all(tunnel('gre', 0, 'remcsum'))).toEqual(['gre:r+c', ' --tun-type gre --tun-remcsum', { type: 'gre', checksum: 'remcsum' }, 'gre remcsum', 'gre']);
  });

  it('codes without a name', () => {
    expect(all(tunnel(7, 6080, 'csum'))).toEqual(['n/a', '', { type: 7 }, 'type 7', '7']);
    expect(all(tunnel('gue', 6080, 3))).toEqual(['gue:6080:?', ' --tun-type gue --tun-port 6080', { type: 'gue', port: 6080, checksum: 3 }, 'gue port 6080 flags 3', 'gue']);
  });

  it('nothing for a real server that does not tunnel', () => {
    expect(all({ ...tunnel('gue', 6080, 'csum'), forwarding: 'route' })).toEqual(['n/a', '', null, '', '']);
  });
});
