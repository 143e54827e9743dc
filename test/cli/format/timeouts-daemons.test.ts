import { describe, expect, it } from 'vitest';
import { formatDaemons } from '../../../src/cli/format/daemons.js';
import { formatTimeouts } from '../../../src/cli/format/timeouts.js';
import { addr } from '../../support/format-fixtures.js';

describe('formatTimeouts', () => {
  it('prints the Linux defaults as observed', () => {
    expect(formatTimeouts({ tcp: 900, tcpFin: 120, udp: 300 })).toBe('Timeout (tcp tcpfin udp): 900 120 300\n');
  });
});

describe('formatDaemons', () => {
  const master = {
    state: 'master' as const,
    mcastIfn: 'dummy0',
    syncId: 0,
    syncMaxlen: 1472,
    mcastGroup: addr('224.0.0.81'),
    mcastPort: 8848,
    mcastTtl: 1,
  };

  it('reproduces the lines observed from 1.31', () => {
    const backup4 = { state: 'backup' as const, mcastIfn: 'dummy0', syncId: 7, syncMaxlen: 1024, mcastGroup: addr('239.1.2.3'), mcastPort: 9000, mcastTtl: 5 };
    const backup6 = { ...master, state: 'backup' as const, syncMaxlen: 1452, mcastGroup: addr('ff02::1:2') };
    expect(formatDaemons([master, backup4])).toBe(
      'master sync daemon (mcast=dummy0, syncid=0, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)\n' +
        'backup sync daemon (mcast=dummy0, syncid=7, maxlen=1024, group=239.1.2.3, port=9000, ttl=5)\n',
    );
    expect(formatDaemons([backup6])).toBe(
      'backup sync daemon (mcast=dummy0, syncid=0, maxlen=1452, group=ff02::1:2, port=8848, ttl=1)\n',
    );
  });

  it('prints nothing without daemons', () => {
    expect(formatDaemons([])).toBe('');
  });

  it('leaves out optional parts that are zero or absent', () => {
    expect(formatDaemons([{ state: 'master' as const, mcastIfn: 'eth0', syncId: 3, syncMaxlen: 0, mcastPort: 0 }])).toBe(
      'master sync daemon (mcast=eth0, syncid=3)\n',
    );
  });

  it('labels by role', () => {
    expect(formatDaemons([{ state: 'master', mcastIfn: 'eth1', syncId: 1 }, { state: 'backup', mcastIfn: 'eth1', syncId: 1 }])).toBe(
      'master sync daemon (mcast=eth1, syncid=1)\nbackup sync daemon (mcast=eth1, syncid=1)\n',
    );
  });
});
