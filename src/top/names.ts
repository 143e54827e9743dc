// Host and service names for `ipvsadm top` without -n: a NameTable that answers at once from
// what was looked up so far (addresses not yet known show numerically) and looks the others up
// in the background, one at a time, telling the view when a name arrived. Names are looked up
// once per address for the whole run.
import { formatAddress } from '../ipvs/address.js';
import type { Address } from '../ipvs/address.js';
import type { NameResolver } from '../app/io.js';
import type { NameTable } from '../table/names.js';

export class BackgroundNames implements NameTable {
  private readonly hosts = new Map<string, string | undefined>();
  private readonly queue: Address[] = [];
  private running = false;
  private readonly listeners: (() => void)[] = [];

  constructor(private readonly resolver: NameResolver) {}

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  host(addr: Address): string | undefined {
    const key = formatAddress(addr);
    if (this.hosts.has(key)) return this.hosts.get(key);
    this.hosts.set(key, undefined);
    this.queue.push(addr);
    if (!this.running) void this.lookUp();
    return undefined;
  }

  port(port: number, protocol: Parameters<NameResolver['nameByPort']>[1]): string | undefined {
    return this.resolver.nameByPort(port, protocol);
  }

  private async lookUp(): Promise<void> {
    this.running = true;
    try {
      for (let addr = this.queue.shift(); addr; addr = this.queue.shift()) {
        let name: string | undefined;
        try {
          name = await this.resolver.nameByAddress(addr);
        } catch {
          name = undefined;
        }
        if (name !== undefined) {
          this.hosts.set(formatAddress(addr), name);
          this.listeners.forEach((l) => l());
        }
      }
    } finally {
      this.running = false;
    }
  }
}
