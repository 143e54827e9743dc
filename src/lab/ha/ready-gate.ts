// The BGP health gate of a fleet's director: `ipvsadm director ready --rules FILE --ha ecmp --watch S`
// in the director's namespace, enabling the BIRD protocol that announces the VIP while the director
// is ready and disabling it (the route is withdrawn) while it is not.
import { spawn } from 'node:child_process';
import { SYSTEM_CLOCK } from '../../core/clock.js';
import { BIN } from '../world.js';
import { VIP_PROTOCOL } from './bird.js';
import type { FleetNode } from './ecmp-net.js';
import type { Fleet } from './ecmp.js';

/** The gate's arguments after `ipvsadm` (what an operator runs beside BIRD on each director). */
export function readyGateArgs(rulesFile: string, birdSocket: string, watchSeconds: number): string[] {
  return [
    'director',
    'ready',
    '--rules',
    rulesFile,
    '--ha',
    'ecmp',
    '--watch',
    String(watchSeconds),
    '--on-ready',
    `birdc -s ${birdSocket} enable ${VIP_PROTOCOL}`,
    '--on-unready',
    `birdc -s ${birdSocket} disable ${VIP_PROTOCOL}`,
  ];
}

export interface ReadyGate {
  /** everything it printed so far */
  output(): string;
  /** resolves once it printed a line containing `text` (throws after timeoutMs or when it ended) */
  waitFor(text: string, timeoutMs: number): Promise<void>;
  /** SIGTERM, then waits until it is gone */
  stop(): Promise<void>;
}

/** Starts the gate of director `d` against `rulesFile`. */
export function startReadyGate(fleet: Fleet, d: FleetNode, rulesFile: string, watchSeconds = 1): ReadyGate {
  const args = readyGateArgs(rulesFile, fleet.birdSocket(d.name), watchSeconds);
  const child = spawn('ip', ['netns', 'exec', d.name, process.execPath, BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const gone = (): boolean => child.exitCode !== null || child.signalCode !== null;
  return {
    output: () => out,
    async waitFor(text, timeoutMs) {
      const deadline = SYSTEM_CLOCK.now() + timeoutMs;
      while (!out.includes(text)) {
        if (gone() || SYSTEM_CLOCK.now() > deadline) throw new Error(`the readiness gate of ${d.name} printed no "${text}":\n${out}`);
        await SYSTEM_CLOCK.sleep(50);
      }
    },
    async stop() {
      if (!gone()) child.kill('SIGTERM');
      await exited;
    },
  };
}
