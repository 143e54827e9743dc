// `ipvsadm lab --directors 2 --ha vrrp`, inside the sandbox kernel: builds the VRRP pair (keepalived,
// sync daemons, one rules file applied on both), holds connections through the VIP, crashes the master,
// brings it back, and prints what survived each time. Exit 0 when every held connection survived.
import { join } from 'node:path';
import { LAB_EXIT } from '../../app/exit-status.js';
import type { HaLabRequest } from './request.js';
import { runFailover } from './failover.js';
import { planPair } from './pair-plan.js';
import { formatPhase, formatSyncLag } from './report.js';
import { buildPair, watchArgs } from './vrrp.js';
import type { VrrpPair } from './vrrp.js';

const indent = (text: string): string => text.replace(/^(?=.)/gm, '  ');

export async function runVrrpLab(r: HaLabRequest, write: (text: string) => void): Promise<number> {
  const plan = planPair(r.mode, 'lab');
  const gw = plan.insideGateway ? ` and the real servers' gateway ${plan.insideGateway}` : '';
  write(`lab: two ${r.mode.toUpperCase()} directors d1 and d2; keepalived moves the VIP ${plan.vip.host}${gw}; both load this file with ipvsadm apply:\n${indent(plan.rules)}`);
  let pair: VrrpPair | undefined;
  try {
    pair = await buildPair(plan, { sync: 'both', gate: 'file' }, (t) => write(t.trim() === '' ? '' : `${t.trimEnd()}\n`));
    await pair.elect();
    write(`lab: both directors prepared with ipvsadm director up --mode ${r.mode} --ha pair; d1 holds the VIP; its keepalived.conf (d2's differs in router_id and priority):\n${indent(pair.conf('d1'))}`);
    const watch = watchArgs(pair.rulesFile, 'both', join(pair.dir, 'ready-d1')).map((a) => (/\s/.test(a) ? `'${a}'` : a));
    write(`lab: beside keepalived, d1 runs the gate that writes its track_file:\n  ipvsadm ${watch.join(' ')}\n`);
    write(`lab: ${r.connections} connections from the client echo a line every 100 ms, new requests every 200 ms; failing d1 (links down, keepalived killed), then bringing it back\n`);
    const run = await runFailover(pair, { connections: r.connections, failback: true, measureSyncLag: true }, (t) => write(`lab: ${t}\n`));
    if (run.syncLag) write(`${formatSyncLag(r.mode, run.syncLag)}\n`);
    for (const p of run.phases) write(`${formatPhase(r.mode, 'both', p)}\n`);
    const broken = run.summary.broken;
    write(broken === 0 ? `all ${r.connections} held connections survived the failover and the failback\n` : `${broken} of ${r.connections} held connections broke\n`);
    return broken === 0 ? LAB_EXIT.OK : 1;
  } finally {
    await pair?.teardown();
  }
}
