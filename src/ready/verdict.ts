// Whether a director is ready to take traffic, from facts read elsewhere (pure): IPVS answered,
// there is a virtual service, each service has a real server of weight above 0, the table is the
// rules file's, and the sync daemons the mode needs run on an interface that is up.
import type { DaemonConfig, DaemonRole } from '../ipvs/model.js';
import { serviceId } from '../ipvs/vocabulary.js';
import type { LinkFacts } from '../rtnl/link-facts.js';
import { compareTables } from '../table/compare.js';
import type { ServiceDifference, TableService } from '../table/compare.js';

/** What was read: the kernel's table and daemons (or why not), the rules file, the daemons' links. */
export interface ReadyFacts {
  readonly ipvs: { readonly services: readonly TableService[]; readonly daemons: readonly DaemonConfig[] } | { readonly error: string };
  readonly rules?: { readonly name: string; readonly services: readonly TableService[] } | { readonly name: string; readonly error: string };
  readonly links?: LinkFacts;
}

export interface ReadyPolicy {
  /** the sync daemons that must run (a pair: master and backup) */
  readonly roles: readonly DaemonRole[];
  /** a health checker sets weights: compare the table with the file without them */
  readonly ignoreWeights: boolean;
}

export interface Verdict {
  readonly ready: boolean;
  /** one line each, empty when ready */
  readonly reasons: readonly string[];
  readonly services: number;
  /** services with a real server of weight above 0 */
  readonly usable: number;
  readonly daemons: readonly string[];
}

/** At most this many differences from the file are named; the rest are counted. */
const MAX_DIFFERENCES = 10;

export function judge(facts: ReadyFacts, policy: ReadyPolicy): Verdict {
  if ('error' in facts.ipvs) {
    const rules = facts.rules && 'error' in facts.rules ? [`${facts.rules.name}: ${facts.rules.error}`] : [];
    return { ready: false, reasons: [`IPVS cannot be read: ${facts.ipvs.error}`, ...rules], services: 0, usable: 0, daemons: [] };
  }
  const { services, daemons } = facts.ipvs;
  const usable = services.filter((s) => s.destinations.some((d) => d.weight > 0)).length;
  const reasons = [
    ...(services.length === 0 ? ['no virtual service in the table'] : services.flatMap(serviceReason)),
    ...rulesReasons(services, facts.rules, policy.ignoreWeights),
    ...policy.roles.flatMap((role) => daemonReason(role, daemons, facts.links)),
  ];
  return { ready: reasons.length === 0, reasons, services: services.length, usable, daemons: daemons.map((d) => `${d.state} on ${d.mcastIfn}, syncid ${d.syncId}`) };
}

function serviceReason(s: TableService): string[] {
  const id = serviceId(s.service.key);
  if (s.destinations.length === 0) return [`${id}: no real server`];
  if (s.destinations.every((d) => d.weight <= 0)) return [`${id}: every real server at weight 0 (${s.destinations.length})`];
  return [];
}

function rulesReasons(services: readonly TableService[], rules: ReadyFacts['rules'], ignoreWeights: boolean): string[] {
  if (!rules) return [];
  if ('error' in rules) return [`${rules.name}: ${rules.error}`];
  const kernel = { name: 'kernel', order: 'none' as const, services };
  const file = { name: rules.name, order: 'none' as const, services: rules.services };
  const lines = compareTables(kernel, file).differences.flatMap((d) => differenceLines(d, rules.name, ignoreWeights));
  if (lines.length <= MAX_DIFFERENCES) return lines;
  return [...lines.slice(0, MAX_DIFFERENCES), `... and ${lines.length - MAX_DIFFERENCES} more differences from ${rules.name}`];
}

/** A service's differences, kernel first: what the table has that the file does not, and the reverse. */
function differenceLines(d: ServiceDifference, file: string, ignoreWeights: boolean): string[] {
  if (d.onlyIn === 'a') return [`${d.service}: in the table, not in ${file}`];
  if (d.onlyIn === 'b') return [`${d.service}: in ${file}, not in the table`];
  const named = (names: readonly string[]): string => names.join(', ');
  const servers = d.servers
    .map((s) => ({ server: s.server, names: s.settings.map((c) => c.name).filter((n) => !(ignoreWeights && n === 'weight')) }))
    .filter((s) => s.names.length > 0);
  return [
    ...(d.settings.length > 0 ? [`${d.service}: ${named(d.settings.map((c) => c.name))} not as in ${file}`] : []),
    ...d.serversOnlyInA.map((r) => `${d.service}: real server ${r} in the table, not in ${file}`),
    ...d.serversOnlyInB.map((r) => `${d.service}: real server ${r} in ${file}, not in the table`),
    ...servers.map((s) => `${d.service}: real server ${s.server}: ${named(s.names)} not as in ${file}`),
  ];
}

function daemonReason(role: DaemonRole, daemons: readonly DaemonConfig[], links: LinkFacts | undefined): string[] {
  const daemon = daemons.find((d) => d.state === role);
  if (!daemon) return [`sync daemon ${role} not running`];
  if (!links || 'error' in links) return [];
  const link = links[daemon.mcastIfn] ?? 'missing';
  if (link === 'missing') return [`sync daemon ${role}: interface ${daemon.mcastIfn} missing`];
  if (!link.up) return [`sync daemon ${role}: interface ${daemon.mcastIfn} is down`];
  if (!link.multicast) return [`sync daemon ${role}: interface ${daemon.mcastIfn} is not multicast-capable`];
  return [];
}
