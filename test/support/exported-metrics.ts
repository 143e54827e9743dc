// What `ipvsadm metrics` exports, read from its own exposition of a fake table that has every
// family (every --collect family, the global counters, both sync daemons, connection entries):
// the metric names of its `# TYPE` lines and the label names of its samples. The rules and
// dashboard tests check their queries against these sets, never against a list written by hand.
import { COLLECTABLE, exposition } from '../../src/metrics/exposition.js';
import type { ConnectionEntry } from '../../src/table/connections.js';
import type { Snapshot } from '../../src/ipvs/model.js';
import { addr, dest, entry, fwm, svc } from './format-fixtures.js';

const conn = (protocol: string, state: string): ConnectionEntry => ({
  protocol,
  state,
  client: addr('203.0.113.9'),
  clientPort: 40000,
  virtual: addr('192.0.2.1'),
  virtualPort: 80,
  dest: addr('198.51.100.1'),
  destPort: 80,
  expires: 60,
});

const SNAP: Snapshot = {
  info: { version: 0x10201, connTabSize: 4096 },
  timeouts: { tcp: 900, tcpFin: 120, udp: 300 },
  daemons: [
    { state: 'master', mcastIfn: 'eth0', syncId: 7 },
    { state: 'backup', mcastIfn: 'eth1', syncId: 7 },
  ],
  services: [
    entry(svc(6, '192.0.2.1', 80, { scheduler: 'wrr' }), dest('198.51.100.1', 80, { forwarding: 'masq' }), dest('198.51.100.2', 80, { forwarding: 'tunnel', tunnelType: 'gue' })),
    entry(svc(17, '2001:db8::1', 53), dest('2001:db8::2', 53)),
    entry(fwm(7), dest('198.51.100.3', 0)),
  ],
};
const GLOBAL = { conns: 1n, inpkts: 2n, outpkts: 3n, inbytes: 4n, outbytes: 5n, cps: 1n, inpps: 1n, outpps: 1n, inbps: 1n, outbps: 1n };
const ENTRIES = [conn('TCP', 'ESTABLISHED'), conn('TCP', 'SYN_RECV'), conn('UDP', 'UDP'), conn('IP', 'NONE')];

/** The exposition of the fake table, every family collected. */
export const EXPOSITION = exposition(SNAP, GLOBAL, ENTRIES, new Set(COLLECTABLE));

/** The metric names the exposition declares (`# TYPE name type`). */
export const EXPORTED_METRICS: ReadonlySet<string> = new Set(
  EXPOSITION.split('\n')
    .filter((l) => l.startsWith('# TYPE '))
    .map((l) => l.split(' ')[2]!),
);

/** The label names its samples carry. */
export const EXPORTED_LABELS: ReadonlySet<string> = new Set(
  EXPOSITION.split('\n')
    .filter((l) => !l.startsWith('#') && l.includes('{'))
    .flatMap((l) => [...l.slice(l.indexOf('{')).matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\]|\\.)*"/g)].map((m) => m[1]!)),
);

/** Each label's values in the samples (as Prometheus stores them: an empty value is no label). */
export const EXPORTED_VALUES: ReadonlyMap<string, ReadonlySet<string>> = (() => {
  const values = new Map<string, Set<string>>();
  for (const l of EXPOSITION.split('\n').filter((l) => !l.startsWith('#') && l.includes('{'))) {
    for (const m of l.slice(l.indexOf('{')).matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      if (m[2] !== '') values.set(m[1]!, (values.get(m[1]!) ?? new Set()).add(m[2]!));
    }
  }
  return values;
})();

/** The labels Prometheus adds to every series it scrapes. */
export const TARGET_LABELS: ReadonlySet<string> = new Set(['job', 'instance']);

/** The series Prometheus itself writes for every scrape target. */
export const SCRAPE_METRICS: ReadonlySet<string> = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_series_added', 'scrape_samples_post_metric_relabeling', 'scrape_timeout_seconds']);
