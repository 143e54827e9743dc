// An in-memory `System` for real-server/director tests without root: sysctls in a Map, links,
// addresses, modules (loading one creates its fallback tunnel device, as the kernel does) and fou
// ports, link aliases (lo's carries the namespace marker), a log of every change, snapshots, and
// injected failures (errno per operation and target).
import { formatAddress, parseAddress } from '../../src/ipvs/address.js';
import { AF_INET, AF_INET6 } from '../../src/ipvs/constants.js';
import { NetlinkError } from '../../src/netlink/errors.js';
import type { Family, ObservedFouPort } from '../../src/prep/model.js';
import { ModuleLoadError } from '../../src/host/modules.js';
import type { ModuleOps } from '../../src/host/modules.js';
import type { IfAddress, Link } from '../../src/rtnl/client.js';
import type { SysctlStore } from '../../src/host/sysctl.js';
import type { FouOps, IpvsOps, RtnlOps, System } from '../../src/prep/system.js';
import type { SysctlValue } from '../../src/host/sysctl.js';
import type { DaemonConfig } from '../../src/ipvs/model.js';
import type { Change } from '../../src/ipvs/changes.js';
import { IpvsOperationError } from '../../src/ipvs/errors.js';

export type FakeOp = 'sysctl.read' | 'sysctl.write' | 'daemon.start' | 'daemon.stop' | 'module.load' | 'link.set' | 'address.add' | 'address.del' | 'fou.add' | 'fou.del' | 'link.create' | 'link.delete' | 'link.alias' | 'links' | 'addresses';

export interface FakeAddress {
  readonly dev: string;
  readonly text: string;
  readonly prefix: number;
  readonly flags?: number;
}

export interface FakeOptions {
  /** merged over BASE_SYSCTLS (and VS_SYSCTLS when ip_vs is loaded) */
  readonly sysctls?: Readonly<Record<string, SysctlValue>>;
  /** running sync daemons (ip_vs loaded) */
  readonly daemons?: readonly DaemonConfig[];
  /** default: lo (up), eth0 (up) */
  readonly links?: readonly { readonly name: string; readonly up: boolean; readonly alias?: string }[];
  readonly addresses?: readonly FakeAddress[];
  readonly loaded?: readonly string[];
  readonly fouPorts?: readonly ObservedFouPort[];
  readonly netns?: string;
  /** modules load but create no device (net.core.fb_tunnels_only_for_init_net) */
  readonly noFallbackDevices?: boolean;
}

/** A Debian-like starting point: ARP defaults 0, rp_filter 2 (systemd), redirects on, forwarding off. */
export const BASE_SYSCTLS: Readonly<Record<string, number>> = {
  'net/ipv4/ip_forward': 0,
  'net/ipv6/conf/all/forwarding': 0,
  ...Object.fromEntries(['all', 'default', 'lo', 'eth0'].flatMap((d) => [
    [`net/ipv4/conf/${d}/arp_ignore`, 0],
    [`net/ipv4/conf/${d}/arp_announce`, 0],
    [`net/ipv4/conf/${d}/rp_filter`, d === 'all' || d === 'lo' ? 0 : 2],
    [`net/ipv4/conf/${d}/send_redirects`, 1],
  ])),
};

/** The net.ipv4.vs sysctls with Linux 6.1's defaults: they appear when ip_vs loads. */
export const VS_SYSCTLS: Readonly<Record<string, SysctlValue>> = Object.fromEntries(
  Object.entries({ sync_version: 1, sync_threshold: '3 50', sync_refresh_period: 0, sloppy_tcp: 0, sloppy_sctp: 0, expire_nodest_conn: 0, expire_quiescent_template: 0, conn_reuse_mode: 1, backup_only: 0 }).map(([k, v]) => [`net/ipv4/vs/${k}`, v]),
);

/** Devices each module creates in a namespace (its fallback tunnel devices). */
const MODULE_DEVICES: Readonly<Record<string, readonly string[]>> = {
  ipip: ['tunl0'],
  ip6_tunnel: ['ip6tnl0'],
  ip_gre: ['gre0', 'gretap0', 'erspan0'],
  ip6_gre: ['ip6gre0', 'ip6gretap0'],
  fou: [],
  ip_vs: [],
};
const GENL_FAMILIES: Readonly<Record<string, string>> = { fou: 'fou', IPVS: 'ip_vs' };
const PER_DEVICE_KNOBS = ['arp_ignore', 'arp_announce', 'rp_filter', 'send_redirects'];

interface Failure {
  readonly op: FakeOp;
  readonly target: string | undefined;
  readonly error: () => Error;
  times: number;
  skip: number;
}

interface StoredLink {
  readonly index: number;
  readonly name: string;
  up: boolean;
  alias?: string;
}

interface StoredAddress {
  readonly index: number;
  readonly family: Family;
  readonly text: string;
  readonly prefix: number;
  readonly flags: number;
}

/** A plain picture of everything the fake holds (compare two with toEqual). */
export interface FakeSnapshot {
  readonly sysctls: Record<string, SysctlValue>;
  /** running sync daemons: `ROLE syncid N IFACE` */
  readonly daemons: string[];
  readonly links: Record<string, boolean>;
  readonly addresses: string[];
  readonly modules: string[];
  readonly fouPorts: string[];
  /** device → alias, for links that have one */
  readonly aliases: Record<string, string>;
}

const fsError = (code: string, errno: number): Error => Object.assign(new Error(`${code}: fake failure`), { code, errno: -errno });

export class FakeSystem implements System {
  readonly sysctls = new Map<string, SysctlValue>();
  daemonList: DaemonConfig[] = [];
  readonly loaded = new Set<string>();
  readonly links = new Map<string, StoredLink>();
  addressList: StoredAddress[] = [];
  fouList: ObservedFouPort[] = [];
  /** every change, in order: `sysctl KEY A->B`, `module M`, `link DEV up`, `addr add T/P DEV`, `fou add P/F` (alias changes: aliasLog) */
  readonly log: string[] = [];
  /** every alias change: `DEV alias TEXT` ('' removes) */
  readonly aliasLog: string[] = [];
  /** how many times rtnl() / fou() / genlFamilyExists() were called */
  readonly opened = { rtnl: 0, fou: 0, genl: 0 };
  closed = 0;
  netns: string;
  private nextIndex = 1;
  private readonly failures: Failure[] = [];
  private readonly noFallback: boolean;

  constructor(opts: FakeOptions = {}) {
    for (const [k, v] of Object.entries({ ...BASE_SYSCTLS, ...opts.sysctls })) this.sysctls.set(k, v);
    for (const l of opts.links ?? [{ name: 'lo', up: true }, { name: 'eth0', up: true }]) {
      this.links.set(l.name, { index: this.nextIndex++, name: l.name, up: l.up, ...(l.alias !== undefined ? { alias: l.alias } : {}) });
    }
    for (const a of opts.addresses ?? []) this.addressList.push(this.stored(a));
    for (const m of opts.loaded ?? []) this.loaded.add(m);
    if (this.loaded.has('ip_vs')) this.addVsSysctls();
    for (const [k, v] of Object.entries(opts.sysctls ?? {})) this.sysctls.set(k, v);
    this.daemonList = [...(opts.daemons ?? [])];
    this.fouList = [...(opts.fouPorts ?? [])];
    this.netns = opts.netns ?? '4026531840';
    this.noFallback = opts.noFallbackDevices ?? false;
  }

  /**
   * Calls of `op` on `target` (sysctl key, module, `DEV up|down`, `TEXT/PREFIX DEV`, `PORT/FAMILY`;
   * undefined = any) fail with `errno` (NetlinkError, fs error or ModuleLoadError): after `skip`
   * successful ones, the next `times` (default: all).
   */
  failOn(op: FakeOp, target?: string, opts: { errno?: number; times?: number; skip?: number } = {}): this {
    const errno = opts.errno ?? 1;
    const error = (): Error => {
      if (op.startsWith('sysctl')) return fsError(errno === 13 ? 'EACCES' : errno === 1 ? 'EPERM' : 'EIO', errno);
      if (op === 'module.load') return new ModuleLoadError(target ?? '?', `modprobe: FATAL: Module ${target} not found in directory /lib/modules/6.1.0`);
      return new NetlinkError(errno);
    };
    this.failures.push({ op, target, error, times: opts.times ?? Infinity, skip: opts.skip ?? 0 });
    return this;
  }

  private check(op: FakeOp, target: string): void {
    const f = this.failures.find((x) => x.op === op && (x.target === undefined || x.target === target) && x.times > 0);
    if (!f) return;
    if (f.skip > 0) {
      f.skip--;
      return;
    }
    f.times--;
    throw f.error();
  }

  private stored(a: FakeAddress): StoredAddress {
    const link = this.links.get(a.dev);
    const parsed = parseAddress(a.text);
    if (!link || !parsed) throw new Error(`fake: bad address ${a.text} on ${a.dev}`);
    return { index: link.index, family: parsed.af === AF_INET ? 4 : 6, text: formatAddress(parsed), prefix: a.prefix, flags: a.flags ?? 0 };
  }

  private nameOf(index: number): string {
    return [...this.links.values()].find((l) => l.index === index)?.name ?? `if${index}`;
  }

  private addVsSysctls(): void {
    for (const [k, v] of Object.entries(VS_SYSCTLS)) if (!this.sysctls.has(k)) this.sysctls.set(k, v);
  }

  addLink(name: string, up = false): void {
    if (this.links.has(name)) return;
    this.links.set(name, { index: this.nextIndex++, name, up });
    for (const knob of PER_DEVICE_KNOBS) {
      const dflt = this.sysctls.get(`net/ipv4/conf/default/${knob}`);
      if (dflt !== undefined) this.sysctls.set(`net/ipv4/conf/${name}/${knob}`, dflt);
    }
  }

  /** `TEXT/PREFIX DEV` of every address, in order. */
  addressesText(): string[] {
    return this.addressList.map((a) => `${a.text}/${a.prefix} ${this.nameOf(a.index)}`);
  }

  snapshot(): FakeSnapshot {
    return {
      sysctls: Object.fromEntries([...this.sysctls].sort(([a], [b]) => a.localeCompare(b))),
      daemons: this.daemonList.map((d) => `${d.state} syncid ${d.syncId} ${d.mcastIfn}`).sort(),
      links: Object.fromEntries([...this.links.values()].map((l) => [l.name, l.up])),
      addresses: this.addressesText().sort(),
      modules: [...this.loaded].sort(),
      fouPorts: this.fouList.map((p) => `${p.port}/${p.family} ${p.type}`).sort(),
      aliases: Object.fromEntries([...this.links.values()].flatMap((l) => (l.alias ? [[l.name, l.alias]] : []))),
    };
  }

  /** The alias of `dev` (undefined: none). */
  aliasOf(dev: string): string | undefined {
    return this.links.get(dev)?.alias;
  }

  private linkJson(l: StoredLink): Link {
    return { index: l.index, name: l.name, flags: l.up ? 0x1 | 0x40 : 0, ...(l.alias ? { alias: l.alias } : {}) };
  }

  readonly sysctl: SysctlStore = {
    read: async (key) => {
      this.check('sysctl.read', key);
      return this.sysctls.get(key);
    },
    write: async (key, value) => {
      this.check('sysctl.write', key);
      const before = this.sysctls.get(key);
      if (before === undefined) throw fsError('ENOENT', 2);
      this.sysctls.set(key, value);
      this.log.push(`sysctl ${key} ${before}->${value}`);
    },
  };

  readonly modules: ModuleOps = {
    isLoaded: async (name) => this.loaded.has(name),
    load: async (name) => {
      this.check('module.load', name);
      const devices = MODULE_DEVICES[name];
      if (!devices) throw new ModuleLoadError(name, `modprobe: FATAL: Module ${name} not found in directory /lib/modules/6.1.0`);
      this.loaded.add(name);
      if (name === 'ip_vs') this.addVsSysctls();
      if (!this.noFallback) for (const d of devices) this.addLink(d);
      this.log.push(`module ${name}`);
    },
  };

  private readonly rtnlOps: RtnlOps = {
    links: async () => {
      this.check('links', '');
      return [...this.links.values()].map((l) => this.linkJson(l));
    },
    link: async (name) => {
      const l = this.links.get(name);
      return l && this.linkJson(l);
    },
    setAlias: async (index, alias) => {
      const l = [...this.links.values()].find((x) => x.index === index);
      if (!l) throw new NetlinkError(19);
      this.check('link.alias', l.name);
      // As the kernel: an empty alias removes it.
      if (alias === '') delete l.alias;
      else l.alias = alias;
      this.aliasLog.push(`${l.name} alias ${alias}`);
    },
    setLink: async (index, up) => {
      const l = [...this.links.values()].find((x) => x.index === index);
      if (!l) throw new NetlinkError(19);
      this.check('link.set', `${l.name} ${up ? 'up' : 'down'}`);
      l.up = up;
      this.log.push(`link ${l.name} ${up ? 'up' : 'down'}`);
    },
    addresses: async () => {
      this.check('addresses', '');
      return this.addressList.map((a): IfAddress => ({
        family: a.family === 4 ? AF_INET : AF_INET6,
        prefix: a.prefix,
        flags: a.flags,
        scope: 0,
        index: a.index,
        local: parseAddress(a.text)!.bytes,
      }));
    },
    addAddress: async (a) => this.changeAddress('add', a),
    deleteAddress: async (a) => this.changeAddress('del', a),
    createGre: async (t) => {
      this.check('link.create', t.name);
      if (this.links.has(t.name)) throw new NetlinkError(17); // EEXIST
      this.addLink(t.name);
      this.log.push(`link create ${t.name} ${t.type} local ${formatAddress({ af: t.local.length === 4 ? AF_INET : AF_INET6, bytes: t.local })}`);
    },
    deleteLink: async (index) => {
      const l = [...this.links.values()].find((x) => x.index === index);
      if (!l) throw new NetlinkError(19);
      this.check('link.delete', l.name);
      this.links.delete(l.name);
      this.addressList = this.addressList.filter((a) => a.index !== index);
      for (const key of [...this.sysctls.keys()]) if (key.includes(`/conf/${l.name}/`)) this.sysctls.delete(key);
      this.log.push(`link delete ${l.name}`);
    },
  };

  private changeAddress(what: 'add' | 'del', a: IfAddress): void {
    const text = formatAddress({ af: a.family === AF_INET ? AF_INET : AF_INET6, bytes: a.local });
    const dev = this.nameOf(a.index);
    this.check(what === 'add' ? 'address.add' : 'address.del', `${text}/${a.prefix} ${dev}`);
    if (!this.links.has(dev)) throw new NetlinkError(19);
    const at = this.addressList.findIndex((x) => x.index === a.index && x.text === text && x.prefix === a.prefix);
    if (what === 'add') {
      if (at >= 0) throw new NetlinkError(17); // EEXIST
      // As the kernel: an address whose preferred lifetime is 0 reports IFA_F_DEPRECATED.
      const flags = a.preferredLft === 0 ? a.flags | 0x20 : a.flags;
      this.addressList.push({ index: a.index, family: a.family === AF_INET ? 4 : 6, text, prefix: a.prefix, flags });
      this.log.push(`addr add ${text}/${a.prefix} ${dev}${a.flags ? ` flags 0x${a.flags.toString(16)}` : ''}${a.preferredLft !== undefined ? ` preferred_lft ${a.preferredLft}` : ''}`);
    } else {
      if (at < 0) throw new NetlinkError(99); // EADDRNOTAVAIL
      this.addressList.splice(at, 1);
      this.log.push(`addr del ${text}/${a.prefix} ${dev}`);
    }
  }

  private readonly fouOps: FouOps = {
    ports: async () => this.fouList.map((p) => ({ ...p })),
    addGue: async (port, family) => {
      this.check('fou.add', `${port}/${family}`);
      if (this.fouList.some((p) => p.port === port && p.family === family)) throw new NetlinkError(17);
      this.fouList.push({ port, family, type: 'gue' });
      this.log.push(`fou add ${port}/${family}`);
    },
    delete: async (port, family) => {
      this.check('fou.del', `${port}/${family}`);
      const at = this.fouList.findIndex((p) => p.port === port && p.family === family);
      if (at < 0) throw new NetlinkError(2);
      this.fouList.splice(at, 1);
      this.log.push(`fou del ${port}/${family}`);
    },
  };

  private readonly ipvsOps: IpvsOps = {
    daemons: async () => this.daemonList.map((d) => ({ ...d })),
    apply: async (c: Change) => {
      if (c.op === 'start-daemon') {
        this.check('daemon.start', c.daemon.state);
        // as the kernel: one daemon per role (EEXIST), on an interface that exists (ENODEV)
        if (this.daemonList.some((d) => d.state === c.daemon.state)) throw new IpvsOperationError('start-daemon', 17);
        if (!this.links.has(c.daemon.mcastIfn)) throw new IpvsOperationError('start-daemon', 19);
        this.daemonList.push({ ...c.daemon });
        this.log.push(`daemon start ${c.daemon.state} syncid ${c.daemon.syncId} ${c.daemon.mcastIfn}`);
      } else if (c.op === 'stop-daemon') {
        this.check('daemon.stop', c.state);
        const at = this.daemonList.findIndex((d) => d.state === c.state);
        if (at < 0) throw new IpvsOperationError('stop-daemon', 3);
        this.daemonList.splice(at, 1);
        this.log.push(`daemon stop ${c.state}`);
      } else throw new Error(`fake: ${c.op} not supported`);
    },
  };

  /** Opened count: opened.ipvs; fails as the kernel does when ip_vs is not loaded. */
  async ipvs(): Promise<IpvsOps> {
    if (!this.loaded.has('ip_vs')) throw new IpvsOperationError('init', 92);
    return this.ipvsOps;
  }

  async rtnl(): Promise<RtnlOps> {
    this.opened.rtnl++;
    return this.rtnlOps;
  }

  async fou(): Promise<FouOps | undefined> {
    this.opened.fou++;
    return this.loaded.has('fou') ? this.fouOps : undefined;
  }

  async genlFamilyExists(name: string): Promise<boolean> {
    this.opened.genl++;
    const module = GENL_FAMILIES[name];
    return module !== undefined && this.loaded.has(module);
  }

  async netnsId(): Promise<string> {
    return this.netns;
  }

  close(): void {
    this.closed++;
  }
}
