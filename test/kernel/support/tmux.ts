// A program run in a real terminal inside the guest: a tmux server of its own (socket and
// config under a temporary directory, no status line), keys sent with send-keys, the screen read
// with capture-pane. The program runs under a small shell that writes its exit status to a file:
// tmux 3.3 sometimes reports a pane dead without ever giving its status (seen twice in the guest).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class TmuxSession {
  private readonly dir = mkdtempSync(join(tmpdir(), 'tmux-'));
  private readonly socket = join(this.dir, 'socket');
  private readonly statusFile = join(this.dir, 'status');

  constructor(command: readonly string[], size: { columns: number; rows: number }, env: Readonly<Record<string, string>> = {}) {
    const conf = join(this.dir, 'tmux.conf');
    writeFileSync(conf, 'set -g remain-on-exit on\nset -g status off\nset -g history-limit 0\n');
    const setEnv = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    const wrapper = ['sh', '-c', '"$@"; echo $? > "$STATUS_FILE"', 'sh', ...command];
    this.tmux(['-f', conf, 'new-session', '-d', '-s', 'view', '-x', String(size.columns), '-y', String(size.rows), '-e', `STATUS_FILE=${this.statusFile}`, ...setEnv, '--', ...wrapper]);
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

  /** The program's pid (the child of the shell tmux runs). */
  pid(): number {
    const [shell] = this.tmux(['display-message', '-p', '-t', 'view', '#{pane_pid}']).trim().split(' ');
    for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
      try {
        // pid (comm) state ppid ...: the fields after the last ')'
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        if (stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] === shell) return Number(entry);
      } catch {
        // gone meanwhile
      }
    }
    throw new Error(`no program under the pane's shell ${shell}`);
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

  /** The program's exit status once it ended (128 + N when signal N ended it, as sh says). */
  async waitForExit(timeoutMs = 20_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (existsSync(this.statusFile)) {
        const text = readFileSync(this.statusFile, 'utf8');
        if (text.endsWith('\n')) return Number(text.trim());
      }
      if (Date.now() > deadline) throw new Error(`the program did not end:\n${this.screen()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  close(): void {
    spawnSync('tmux', ['-S', this.socket, 'kill-server'], { stdio: 'ignore' });
    rmSync(this.dir, { recursive: true, force: true });
  }
}
