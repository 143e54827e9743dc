// The scrape case's same-work check (test/bench/scrape-bench.mjs) on made-up scrapes: ours and
// node_exporter's views of one table agree, a differing weight or a missing real server is a
// mismatch that withholds the ratio and fails the bench.
import { describe, expect, it } from 'vitest';
import { nodeExporterView, ourView, scrapeReport, seriesCount, viewDifferences } from './scrape-bench.mjs';

const OURS = [
  '# TYPE ipvs_connections_total counter',
  'ipvs_connections_total 12',
  'ipvs_packets_total{direction="in"} 3',
  'ipvs_packets_total{direction="out"} 4',
  'ipvs_bytes_total{direction="in"} 15000000',
  'ipvs_bytes_total{direction="out"} 6',
  'ipvs_destination_weight{service="tcp 192.0.2.1:80",protocol="tcp",address="192.0.2.1",port="80",fwmark="",family="inet",server_address="198.51.100.1",server_port="8080",forwarding="masq",tunnel=""} 2',
  'ipvs_destination_active_connections{service="tcp 192.0.2.1:80",protocol="tcp",address="192.0.2.1",port="80",fwmark="",family="inet",server_address="198.51.100.1",server_port="8080",forwarding="masq",tunnel=""} 1',
  'ipvs_destination_inactive_connections{service="tcp 192.0.2.1:80",protocol="tcp",address="192.0.2.1",port="80",fwmark="",family="inet",server_address="198.51.100.1",server_port="8080",forwarding="masq",tunnel=""} 0',
  '',
].join('\n');
const NE = (weight: number): string =>
  [
    '# TYPE node_ipvs_connections_total counter',
    'node_ipvs_connections_total 12',
    'node_ipvs_incoming_packets_total 3',
    'node_ipvs_outgoing_packets_total 4',
    'node_ipvs_incoming_bytes_total 1.5e+07',
    'node_ipvs_outgoing_bytes_total 6',
    `node_ipvs_backend_weight{local_address="192.0.2.1",local_mark="",local_port="80",proto="TCP",remote_address="198.51.100.1",remote_port="8080"} ${weight}`,
    'node_ipvs_backend_connections_active{local_address="192.0.2.1",local_mark="",local_port="80",proto="TCP",remote_address="198.51.100.1",remote_port="8080"} 1',
    'node_ipvs_backend_connections_inactive{local_address="192.0.2.1",local_mark="",local_port="80",proto="TCP",remote_address="198.51.100.1",remote_port="8080"} 0',
    '',
  ].join('\n');

describe('scrape same-work check', () => {
  it('the same table seen by both: no difference, a ratio', () => {
    expect(viewDifferences(ourView(OURS), nodeExporterView(NE(2)))).toEqual([]);
    expect(ourView(OURS).size).toBe(8);
    expect(seriesCount(OURS)).toBe(8);
    const row = { services: 1, dests: 1, realServers: 1, differences: [], ours: { ms: 50, min: 40, max: 60, series: 8, bytes: 900 }, nodeExporter: { ms: 100, min: 90, max: 110, series: 8, bytes: 800 }, list: { ms: 40, min: 30, max: 50 } };
    const report = scrapeReport([row]);
    expect(report.failed).toBe(false);
    expect(report.lines.find((l) => l.startsWith('| 1 × 1 |'))).toBe('| 1 × 1 | 100 ms (90 ms–110 ms) | 50 ms (40 ms–60 ms) | 0.50 | 40 ms (30 ms–50 ms) | 1.25 | 8 / 8 | 0.0 / 0.0 (0.0 / 0.0) |');
  });

  it('a differing weight or a real server one side lacks: a mismatch, no ratio, the bench fails', () => {
    const differences = viewDifferences(ourView(OURS), nodeExporterView(NE(3)));
    expect(differences).toEqual(['tcp 192.0.2.1:80 -> 198.51.100.1:8080 weight: ours 2, node_exporter 3']);
    expect(viewDifferences(ourView(OURS), nodeExporterView(NE(2).split('\n').filter((l) => !l.includes('weight{')).join('\n')))).toHaveLength(1);
    const row = { services: 1, dests: 1, realServers: 1, differences, ours: { ms: 50, min: 40, max: 60, series: 8, bytes: 900 }, nodeExporter: { ms: 100, min: 90, max: 110, series: 8, bytes: 800 }, list: { ms: 40, min: 30, max: 50 } };
    const report = scrapeReport([row]);
    expect(report.failed).toBe(true);
    expect(report.lines.join('\n')).toContain('| not the same work |');
    expect(report.lines.join('\n')).toContain('MISMATCH at 1 × 1, scrape');
  });
});
