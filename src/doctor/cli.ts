// `ipvsadm doctor [--json]`: gathers the facts (IPVS through netlink, kernel modules through
// /sys/module and `modprobe -n`, sysctls, process names, the routes to the real servers and the
// sync daemons' interfaces through rtnetlink), runs checks.ts, and prints a table (format.ts)
// or, with --json, one JSON document. Statuses: DOCTOR_EXIT.
import { readdirSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DOCTOR_EXIT } from '../app/exit-status.js';
import type { Io } from '../app/io.js';
import { frontEnd, parseFrontEnd } from '../app/front-end.js';
import { openClient } from '../app/open-client.js';
import { readSysctls } from '../host/sysctl.js';
import { kernelFailureOrThrow } from '../core/failure.js';
import { document } from '../table/json.js';
import { MODULES, runChecks } from './checks.js';
import { realServerAddresses } from './reach.js';
import { readPaths } from './routes.js';
import { readLinks } from '../rtnl/link-facts.js';
import type { DoctorFacts } from './checks.js';
import { doctorText } from './format.js';
import { moduleState } from '../host/modules.js';

const SYSCTLS = ['net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding', 'net.ipv4.vs.conntrack', 'net.ipv4.vs.expire_quiescent_template', 'net.ipv4.vs.conn_reuse_mode', 'net.ipv4.vs.expire_nodest_conn', 'net.ipv4.vs.sync_version', 'net.ipv4.vs.sloppy_tcp', 'net.ipv4.vs.sloppy_sctp'];

function program(io: Io): Command {
  return frontEnd('ipvsadm doctor', io)
    .description('Check what this director can do and what its table needs: IPVS, schedulers, the sip engine, tunnel modules, sysctls, connection sync, other managers of the table.')
    .option('--json', 'one JSON document instead of the table');
}

function processNames(): string[] {
  const names: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      names.push(readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
    } catch {
      // gone meanwhile
    }
  }
  return names;
}

async function gather(io: Io): Promise<DoctorFacts> {
  let ipvs: DoctorFacts['ipvs'];
  try {
    const client = await openClient(io, {});
    try {
      ipvs = { snapshot: await client.snapshot() };
    } finally {
      client.close();
    }
  } catch (e) {
    ipvs = { error: kernelFailureOrThrow(e) };
  }
  const addresses = 'snapshot' in ipvs ? [...realServerAddresses(ipvs.snapshot).keys()] : [];
  const paths = addresses.length > 0 ? await readPaths(io.openTransport, addresses) : undefined;
  const interfaces = 'snapshot' in ipvs ? ipvs.snapshot.daemons.map((d) => d.mcastIfn) : [];
  const links = interfaces.length > 0 ? await readLinks(io.openTransport, interfaces) : undefined;
  const modules = Object.fromEntries(await Promise.all(MODULES.map(async (m) => [m, await moduleState(m)] as const)));
  return { ipvs, modules, sysctls: readSysctls(SYSCTLS), processes: processNames(), ...(paths ? { paths } : {}), ...(links ? { links } : {}) };
}

export async function runDoctorCli(argv: readonly string[], io: Io): Promise<number> {
  const cmd = program(io);
  const ended = parseFrontEnd(cmd, argv, io, DOCTOR_EXIT.USAGE);
  if (ended !== undefined) return ended;
  const checks = runChecks(await gather(io));
  const json = cmd.opts<{ json?: boolean }>().json === true;
  io.stdout(json ? document('doctor', { checks: checks.map((c) => ({ ...c })) }) : doctorText(checks, { color: io.color === true }));
  return checks.some((c) => c.verdict === 'fail') ? DOCTOR_EXIT.PROBLEMS : DOCTOR_EXIT.OK;
}
