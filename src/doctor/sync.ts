// doctor's connection-sync verdicts: which sync daemons run and whether that suits a pair (a
// master alone comes back empty after a reboot), each daemon's interface (there, up,
// multicast-capable), sync IDs, the message version, and the sloppy settings services with the
// `mh` scheduler need in a fleet. Pure: the facts are read by cli.ts (rtnl/link-facts.ts, sysctls).
import type { DaemonConfig, Snapshot } from '../ipvs/model.js';
import { serviceId } from '../ipvs/vocabulary.js';
import type { LinkFacts } from '../rtnl/link-facts.js';
import type { Check } from './verdict.js';


const SYNC_GROUP = 'the sync messages go to a multicast group (224.0.0.81 port 8848 unless set otherwise)';

/** The checks of the daemons, their interfaces, and the sync message version. */
export function syncChecks(table: Snapshot, links: LinkFacts | undefined, sysctls: Readonly<Record<string, number>>): Check[] {
  return [
    roleCheck(table.daemons),
    ...table.daemons.map((d) => interfaceCheck(d, links)),
    ...syncIdChecks(table.daemons),
    ...versionChecks(table.daemons, sysctls),
    ...sloppyChecks(table, sysctls),
  ];
}

function roleCheck(daemons: readonly DaemonConfig[]): Check {
  const master = daemons.some((d) => d.state === 'master');
  const backup = daemons.some((d) => d.state === 'backup');
  const check = 'sync daemons';
  if (master && backup) return { check, verdict: 'ok', detail: 'master and backup: this director sends its connection entries and takes its peer\'s' };
  if (master) {
    return {
      check,
      verdict: 'warn',
      detail: 'master only: this director sends its connection entries but takes none; after a reboot or a failover back to it, it has no entry for the connections its peer held, and their next packets are dropped or reset',
      fix: 'run a backup daemon too (ipvsadm --start-daemon backup --mcast-interface IF --syncid ID), as keepalived does on both nodes',
    };
  }
  if (backup) return { check, verdict: 'info', detail: 'backup only: this director takes its peer\'s connection entries but sends none; connections it takes over are not copied back at failback unless a master daemon runs here too' };
  return { check, verdict: 'info', detail: 'none: connection entries are not copied to or from another director (right for a single director, or a fleet whose directors all use mh)' };
}

function interfaceCheck(d: DaemonConfig, links: LinkFacts | undefined): Check {
  const check = `sync ${d.state} interface ${d.mcastIfn}`;
  if (!links || 'error' in links) return { check, verdict: 'info', detail: `cannot be read${links ? `: ${links.error}` : ''}` };
  const link = links[d.mcastIfn] ?? 'missing';
  if (link === 'missing') return { check, verdict: 'fail', detail: `no such interface: ${SYNC_GROUP} through it`, fix: `restart the ${d.state} daemon on an interface that exists (--mcast-interface)` };
  if (!link.up) return { check, verdict: 'fail', detail: `down: ${SYNC_GROUP}, and nothing leaves or arrives on a link that is down`, fix: `ip link set ${d.mcastIfn} up` };
  if (!link.multicast) return { check, verdict: 'fail', detail: `not multicast-capable (no MULTICAST flag): ${SYNC_GROUP}`, fix: `ip link set ${d.mcastIfn} multicast on, or use another interface` };
  if (!link.running) return { check, verdict: 'warn', detail: 'up but without carrier (no LOWER_UP): sync messages are not getting through now', fix: 'check the cable, the peer end of the link or the bridge' };
  return { check, verdict: 'ok', detail: 'up, with carrier, multicast-capable' };
}

function syncIdChecks(daemons: readonly DaemonConfig[]): Check[] {
  const master = daemons.find((d) => d.state === 'master');
  const backup = daemons.find((d) => d.state === 'backup');
  const out: Check[] = [];
  if (master) out.push({ check: 'sync id (master)', verdict: 'info', detail: `${master.syncId >>> 0}: every message this director sends carries it; the peer's backup must have the same ID, or 0` });
  if (backup) {
    const id = backup.syncId >>> 0;
    out.push({ check: 'sync id (backup)', verdict: 'info', detail: id === 0 ? '0: takes messages of every sync ID on its interface' : `${id}: takes only messages with this ID; messages with another are ignored` });
  }
  if (master && backup && master.syncId !== backup.syncId && (backup.syncId >>> 0) !== 0) {
    out.push({ check: 'sync id (master and backup)', verdict: 'info', detail: `master ${master.syncId >>> 0}, backup ${backup.syncId >>> 0}: the peer's daemons must be the other way round (a pair usually runs one ID on both)` });
  }
  return out;
}

function versionChecks(daemons: readonly DaemonConfig[], sysctls: Readonly<Record<string, number>>): Check[] {
  if (daemons.length === 0) return [];
  const v = sysctls['net.ipv4.vs.sync_version'];
  const check = 'net.ipv4.vs.sync_version';
  if (v === undefined) return [{ check, verdict: 'info', detail: 'unknown (cannot be read here)' }];
  if (v === 0) return [{ check, verdict: 'warn', detail: '0: the old message format, IPv4 only and without persistence-engine data; IPv6 connections are not synced', fix: 'sysctl -w net.ipv4.vs.sync_version=1 unless a peer runs a kernel that reads only version 0' }];
  return [{ check, verdict: 'ok', detail: `${v}: the current message format (IPv4 and IPv6 entries, persistence-engine data)` }];
}

/**
 * `mh` picks the same real server on every director with the same table, so a flow that moves to
 * another director keeps its server; but a mid-stream packet a director has no entry for is not
 * scheduled (dropped, or reset by its own stack) unless sloppy_tcp (sloppy_sctp) lets it schedule
 * packets that do not start a connection.
 */
function sloppyChecks(table: Snapshot, sysctls: Readonly<Record<string, number>>): Check[] {
  const mh = table.services.filter((s) => s.service.scheduler === 'mh').map((s) => s.service.key);
  // a firewall-mark service is counted with TCP, the protocol such services nearly always carry
  const uses = (protocol: number): string[] => mh.filter((k) => (k.kind === 'fwmark' ? protocol === 6 : k.protocol === protocol)).map(serviceId);
  const out: Check[] = [];
  for (const [name, protocol, opener] of [['sloppy_tcp', 6, 'SYN'], ['sloppy_sctp', 132, 'INIT']] as const) {
    const services = uses(protocol);
    if (services.length === 0) continue;
    const key = `net.ipv4.vs.${name}`;
    const value = sysctls[key];
    out.push(
      value === 1
        ? { check: key, verdict: 'ok', detail: `1: flows that move here from another director are scheduled mid-stream, and mh gives them the same real server (${services.join(', ')})` }
        : {
            check: key,
            verdict: 'warn',
            detail:
              `${value ?? 'unknown'}: mh services (${services.join(', ')}) are scheduled only on a ${opener}; ` +
              'a flow that moves here from another director (ECMP change, failover without sync) arrives mid-stream with no entry ' +
              "and is not scheduled: it is dropped, or reset by this director's own stack, though mh would give it the same real server",
            fix: `sysctl -w ${key}=1 on every director of the fleet`,
          },
    );
  }
  return out;
}
