// keepalived's configuration for one director of a VRRP pair, as text: the instance moving the
// VIP (and, for NAT, the real servers' gateway address), and the health gate that makes a director
// that is not ready give the addresses up (vrrp_script + track_script, or track_file).

export interface VrrpAddress {
  readonly addr: string;
  /** prefix length (32 for a host address) */
  readonly prefix: number;
  readonly dev: string;
}

/** A check keepalived runs itself: exit 0 = ready; `fall` failures in a row put the node in FAULT (it gives the addresses up). */
export interface VrrpScriptGate {
  readonly kind: 'script';
  /** absolute path first, then its arguments (keepalived splits on spaces) */
  readonly command: string;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly fall: number;
  readonly rise: number;
}

/** A file keepalived watches (inotify), written by a long-running check: 0 = ready, anything else puts the node in FAULT. */
export interface VrrpFileGate {
  readonly kind: 'file';
  readonly file: string;
}

export type VrrpGate = VrrpScriptGate | VrrpFileGate;

export interface VrrpNode {
  readonly routerId: string;
  readonly interface: string;
  readonly virtualRouterId: number;
  /** the higher one holds the addresses; it takes them back `preemptDelay` seconds after it returns */
  readonly priority: number;
  readonly advertIntSeconds: number;
  readonly preemptDelaySeconds: number;
  readonly addresses: readonly VrrpAddress[];
  /** other interfaces whose loss puts the node in FAULT */
  readonly trackInterfaces: readonly string[];
  readonly gate?: VrrpGate;
}

const GATE = 'ipvs_ready';

function gateBlock(g: VrrpGate): string[] {
  if (g.kind === 'file') {
    // weight 0: a value other than 0 is a failure. A missing file starts at 1 (not ready) until the
    // check writes; an existing one is kept, since the check writes only when its verdict changes
    // (with `overwrite`, a restart of keepalived alone would leave the node not ready for good).
    return [`track_file ${GATE} {`, `    file "${g.file}"`, '    weight 0', '    init_file 1', '}', ''];
  }
  if (!g.command.startsWith('/')) throw new Error(`keepalived needs an absolute path for a script: ${g.command}`);
  return [
    `vrrp_script ${GATE} {`,
    `    script "${g.command}"`,
    `    interval ${g.intervalSeconds}`,
    `    timeout ${g.timeoutSeconds}`,
    `    fall ${g.fall}`,
    `    rise ${g.rise}`,
    '}',
    '',
  ];
}

const block = (name: string, lines: readonly string[]): string[] => (lines.length === 0 ? [] : [`    ${name} {`, ...lines.map((l) => `        ${l}`), '    }']);

/** keepalived.conf for one node: both nodes start as BACKUP and the priority decides. */
export function keepalivedConf(n: VrrpNode): string {
  const lines = [
    'global_defs {',
    `    router_id ${n.routerId}`,
    ...(n.gate?.kind === 'script' ? ['    enable_script_security', '    script_user root'] : []),
    '}',
    '',
    ...(n.gate ? gateBlock(n.gate) : []),
    'vrrp_instance LVS {',
    '    state BACKUP',
    `    interface ${n.interface}`,
    `    virtual_router_id ${n.virtualRouterId}`,
    `    priority ${n.priority}`,
    `    advert_int ${n.advertIntSeconds}`,
    `    preempt_delay ${n.preemptDelaySeconds}`,
    ...block(
      'virtual_ipaddress',
      n.addresses.map((a) => `${a.addr}/${a.prefix} dev ${a.dev}`),
    ),
    ...block('track_interface', n.trackInterfaces),
    ...block(n.gate?.kind === 'file' ? 'track_file' : 'track_script', n.gate ? [GATE] : []),
    '}',
    '',
  ];
  return lines.join('\n');
}

/** The command line that runs keepalived (VRRP only) in the foreground in namespace `ns`. */
export function keepalivedArgs(ns: string, files: { readonly conf: string; readonly pid: string; readonly vrrpPid: string }): string[] {
  return ['-s', ns, '-P', '-n', '-l', '-G', '-R', '-f', files.conf, '-p', files.pid, '-r', files.vrrpPid];
}
