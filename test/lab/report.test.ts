// What `ipvsadm lab` prints after the traffic (formatLabReport), as exact text: columns, failed
// requests, answers from hosts that are no real server of the service, IPv6 targets.
import { describe, expect, it } from 'vitest';
import type { LabPlan, LabServer } from '../../src/lab/lab-plan.js';
import { formatLabReport } from '../../src/lab/report.js';

function server(name: string, addr: string, mode: LabServer['mode']): LabServer {
  return { name, addr, family: addr.includes(':') ? 6 : 4, mode, prepareAs: mode === 'nat' ? undefined : mode, tunType: 'ipip', tunPort: undefined, vips: [], tcpPorts: [], udpPorts: [] };
}

const NAT: LabPlan = {
  servers: [server('rs1', '198.51.100.1', 'nat'), server('rs2', '198.51.100.2', 'nat')],
  services: [
    { target: { proto: 'tcp', host: '192.0.2.100', port: 80 }, scheduler: 'wrr', weights: { rs1: 1, rs2: 3 } },
    { target: { proto: 'udp', host: '192.0.2.100', port: 53 }, scheduler: 'rr', weights: { rs1: 1, rs2: 1 } },
  ],
  vips: ['192.0.2.100'],
  skipped: [],
  directorMode: 'nat',
};

describe('formatLabReport', () => {
  it('a service the client reported nothing for counts as failed in full', () => {
    const answers = { 'tcp:192.0.2.100:80': { rs1: 5, rs2: 15 } };
    expect(formatLabReport(NAT, answers, 20)).toBe(
      'traffic: 20 requests to each service from the client\n' +
        '  TCP 192.0.2.100:80  wrr\n' +
        '    rs1   198.51.100.1           nat  weight   1     5 answered\n' +
        '    rs2   198.51.100.2           nat  weight   3    15 answered\n' +
        '  UDP 192.0.2.100:53  rr\n' +
        '    rs1   198.51.100.1           nat  weight   1     0 answered\n' +
        '    rs2   198.51.100.2           nat  weight   1     0 answered\n' +
        '    20 of 20 requests FAILED\n' +
        '20 of 40 requests failed\n',
    );
  });

  it('every request answered', () => {
    const answers = { 'tcp:192.0.2.100:80': { rs1: 5, rs2: 15 }, 'udp:192.0.2.100:53': { rs1: 10, rs2: 10 } };
    expect(formatLabReport(NAT, answers, 20)).toBe(
      'traffic: 20 requests to each service from the client\n' +
        '  TCP 192.0.2.100:80  wrr\n' +
        '    rs1   198.51.100.1           nat  weight   1     5 answered\n' +
        '    rs2   198.51.100.2           nat  weight   3    15 answered\n' +
        '  UDP 192.0.2.100:53  rr\n' +
        '    rs1   198.51.100.1           nat  weight   1    10 answered\n' +
        '    rs2   198.51.100.2           nat  weight   1    10 answered\n' +
        'all 40 requests answered\n',
    );
  });

  it('failed requests: per service and in total; a real server that answered nothing shows 0', () => {
    const answers = { 'tcp:192.0.2.100:80': { rs2: 17, '(failed)': 3 }, 'udp:192.0.2.100:53': { rs1: 9, rs2: 10, '(failed)': 1 } };
    expect(formatLabReport(NAT, answers, 20)).toBe(
      'traffic: 20 requests to each service from the client\n' +
        '  TCP 192.0.2.100:80  wrr\n' +
        '    rs1   198.51.100.1           nat  weight   1     0 answered\n' +
        '    rs2   198.51.100.2           nat  weight   3    17 answered\n' +
        '    3 of 20 requests FAILED\n' +
        '  UDP 192.0.2.100:53  rr\n' +
        '    rs1   198.51.100.1           nat  weight   1     9 answered\n' +
        '    rs2   198.51.100.2           nat  weight   1    10 answered\n' +
        '    1 of 20 requests FAILED\n' +
        '4 of 40 requests failed\n',
    );
  });

  it('lists only the real servers of each service, and names answers from any other host', () => {
    const plan: LabPlan = {
      servers: [server('rs1', '10.0.0.1', 'dr'), server('rs2', '10.0.0.2', 'tun')],
      services: [
        { target: { proto: 'tcp', host: '192.0.2.1', port: 80 }, scheduler: 'rr', weights: { rs1: 1 } },
        { target: { proto: 'tcp', host: '192.0.2.2', port: 8080 }, scheduler: 'wlc', weights: { rs2: 100 } },
      ],
      vips: ['192.0.2.1', '192.0.2.2'],
      skipped: [],
      directorMode: 'tun',
    };
    const answers = { 'tcp:192.0.2.1:80': { rs1: 2, rs2: 1 }, 'tcp:192.0.2.2:8080': { rs2: 3 } };
    expect(formatLabReport(plan, answers, 3)).toBe(
      'traffic: 3 requests to each service from the client\n' +
        '  TCP 192.0.2.1:80  rr\n' +
        '    rs1   10.0.0.1               dr   weight   1     2 answered\n' +
        '    rs2 (not a real server of this service): 1\n' +
        '  TCP 192.0.2.2:8080  wlc\n' +
        '    rs2   10.0.0.2               tun  weight 100     3 answered\n' +
        'all 6 requests answered\n',
    );
  });

  it('IPv6: the target in brackets, the real-server address in full', () => {
    const plan: LabPlan = {
      servers: [server('rs1', '2001:db8:1::1', 'dr')],
      services: [{ target: { proto: 'udp', host: '2001:db8::100', port: 53 }, scheduler: 'sh', weights: { rs1: 0 } }],
      vips: ['2001:db8::100'],
      skipped: [],
      directorMode: 'dr',
    };
    expect(formatLabReport(plan, { 'udp:[2001:db8::100]:53': { rs1: 1000 } }, 1000)).toBe(
      'traffic: 1000 requests to each service from the client\n' +
        '  UDP [2001:db8::100]:53  sh\n' +
        '    rs1   2001:db8:1::1          dr   weight   0  1000 answered\n' +
        'all 1000 requests answered\n',
    );
  });
});
