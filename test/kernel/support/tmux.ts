// A program run in a real terminal inside the guest: a tmux server of its own (socket and
// config under a temporary directory, no status line, panes kept after their program exits so
// the exit status can be read), keys sent with send-keys, the screen read with capture-pane.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class TmuxSession {
  private readonly dir = mkdtempSync(join(tmpdir(), 'tmux-'));
  private readonly socket = join(this.dir, 'socket');

  constructor(command: readonly string[], size: { columns: number; rows: number }, env: Readonly<Record<string, string>> = {}) {
    const conf = join(this.dir, 'tmux.conf');
    writeFileSync(conf, 'set -g remain-on-exit on\nset -g status off\nset -g history-limit 0\n');
    const setEnv = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    this.tmux(['-f', conf, 'new-session', '-d', '-s', 'view', '-x', String(size.columns), '-y', String(size.rows), ...setEnv, '--', ...command]);
  }

  private tmux(args: readonly string[]): string {
    const r = spawnSync('tmux', ['-S', this.socket, ...args], { encoding: 'utf8', env: { ...process.env, TERM: 'xterm' } });
    if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr || r.error?.message || `status ${r.status}`}`);
    return r.stdout;
  }

  /** The screen as text; with `escapes`, with its colours and attributes as SGR sequences. */
  screen(escapes = false): string {
    return this.tmux(['capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', 'view']);
  }

  /** Keys as tmux names them (`q`, `Space`, `C-c`, `Down`). */
  keys(...keys: string[]): void {
    this.tmux(['send-keys', '-t', 'view', ...keys]);
  }

  resize(columns: number, rows: number): void {
    this.tmux(['resize-window', '-t', 'view', '-x', String(columns), '-y', String(rows)]);
  }

  /** The program's pid, and once it ended its exit status, or the signal that ended it. */
  pane(): { pid: number; dead: boolean; status: number | undefined; signal: number | undefined } {
    const [pid, dead, status, signal] = this.tmux(['display-message', '-p', '-t', 'view', '#{pane_pid}|#{pane_dead}|#{pane_dead_status}|#{pane_dead_signal}']).trim().split('|');
    const number = (t: string | undefined): number | undefined => (t === undefined || t === '' ? undefined : Number(t));
    return { pid: Number(pid), dead: dead === '1', status: number(status), signal: number(signal) };
  }

  /** Polls the screen until `ready` holds for it; throws with the last screen after `timeoutMs`. */
  async waitFor(ready: (screen: string) => boolean, timeoutMs = 20_000, escapes = false): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = this.screen(escapes);
      if (ready(s)) return s;
      if (Date.now() > deadline) throw new Error(`the screen never became ready:\n${s}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** The exit status once the program ended; throws with the screen when a signal ended it. */
  async waitForExit(timeoutMs = 20_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const p = this.pane();
      if (p.dead && p.signal !== undefined) throw new Error(`the program was killed by signal ${p.signal}:\n${this.screen()}`);
      // tmux sees the terminal close (pane_dead) before it has reaped the process (its status)
      if (p.dead && p.status !== undefined) return p.status;
      if (Date.now() > deadline) throw new Error(`the program did not end:\n${this.screen()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  close(): void {
    spawnSync('tmux', ['-S', this.socket, 'kill-server'], { stdio: 'ignore' });
    rmSync(this.dir, { recursive: true, force: true });
  }
}
