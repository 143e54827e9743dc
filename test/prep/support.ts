// Shared builders for the real-server tests: Specs, Vips, a hand-written Observed, PrepRequests
// and temporary directories (removed after each test).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { Action, DirectorSpec, LinkState, Observed, ObservedAddress, ObservedFouPort, RealserverSpec, Spec, Vip } from '../../src/prep/model.js';
import type { TunnelType } from '../../src/ipvs/vocabulary.js';
import { parseVips, vipFromText } from '../../src/prep/spec.js';
import type { PrepRequest } from '../../src/prep/spec.js';

export function vip(text: string): Vip {
  const v = vipFromText(text);
  if (!v) throw new Error(`test: bad VIP ${text}`);
  return v;
}

export function rs(mode: 'dr' | 'tun', vips: string, more: { dev?: string; tunType?: TunnelType; tunPort?: number } = {}): RealserverSpec {
  const { dev, ...rest } = more;
  return { side: 'realserver', mode, vips: parseVips([vips]), tunType: 'ipip', tunPort: 6080, ...rest, ...(dev ? { dev } : {}) };
}

export function dir(mode: 'nat' | 'dr' | 'tun', vips: string, dev?: string): DirectorSpec {
  return { side: 'director', mode, vips: vips === '' ? [] : parseVips([vips]), ...(dev ? { dev } : {}) };
}

export function request(action: Action, spec: Spec): PrepRequest {
  return { side: spec.side, action, spec, vips: spec.vips };
}

export interface ObservedInput {
  readonly sysctls?: Readonly<Record<string, number | undefined>>;
  /** name → up; default lo and eth0, both up */
  readonly links?: Readonly<Record<string, boolean>>;
  /** `TEXT/PREFIX DEV` */
  readonly addresses?: readonly string[];
  readonly modules?: Readonly<Record<string, boolean>>;
  readonly fouPorts?: readonly ObservedFouPort[];
}

export function observed(o: ObservedInput = {}): Observed {
  const linkList = Object.entries(o.links ?? { lo: true, eth0: true });
  const links = new Map<string, LinkState>(linkList.map(([name, up], i) => [name, { index: i + 1, name, up }]));
  const addresses = (o.addresses ?? []).map((line): ObservedAddress => {
    const m = /^(\S+)\/(\d+) (\S+)$/.exec(line);
    if (!m) throw new Error(`test: bad address line ${line}`);
    const v = vip(m[1]!);
    return { dev: m[3]!, index: links.get(m[3]!)?.index ?? 99, family: v.family, text: v.text, prefix: Number(m[2]) };
  });
  return {
    sysctls: new Map(Object.entries(o.sysctls ?? {})),
    links,
    addresses,
    modules: new Map(Object.entries(o.modules ?? {})),
    fouPorts: o.fouPorts,
  };
}

const temps: string[] = [];

/** A fresh directory under the OS temp dir, removed after the current test. */
export async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'ipvsadm-rs-'));
  temps.push(d);
  return d;
}

afterEach(async () => {
  await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
