// The terminal a full-screen view (`ipvsadm top`) draws on: its size and size changes, its keys
// in raw mode, and putting it back as it was. The process's is made here, at the app boundary;
// tests give fakes.

export interface Terminal {
  /** the size now */
  size(): { readonly columns: number; readonly rows: number };
  /** calls `listener` whenever the size changes (SIGWINCH) */
  onResize(listener: () => void): void;
  /**
   * calls `listener` with what each read of the keyboard gave, stdin in raw mode; false when
   * stdin is not a terminal (no keys: a signal ends the view)
   */
  onKeys(listener: (input: string) => void): boolean;
  /** raw mode off, listeners removed, stdin let go: the process can end */
  close(): void;
}

/** The process's terminal when stdout is one (undefined otherwise: plain output). */
export function processTerminal(): Terminal | undefined {
  const out = process.stdout;
  if (out.isTTY !== true) return undefined;
  const resizeListeners: (() => void)[] = [];
  let keyListener: ((chunk: Buffer | string) => void) | undefined;
  const onResize = (): void => resizeListeners.forEach((l) => l());
  out.on('resize', onResize);
  return {
    size: () => ({ columns: out.columns || 80, rows: out.rows || 24 }),
    onResize: (listener) => void resizeListeners.push(listener),
    onKeys: (listener) => {
      const stdin = process.stdin;
      if (stdin.isTTY !== true) return false;
      stdin.setRawMode(true);
      keyListener = (chunk) => listener(typeof chunk === 'string' ? chunk : chunk.toString('latin1'));
      stdin.on('data', keyListener);
      stdin.resume();
      return true;
    },
    close: () => {
      out.off('resize', onResize);
      resizeListeners.length = 0;
      if (keyListener) {
        process.stdin.off('data', keyListener);
        process.stdin.setRawMode(false);
        process.stdin.pause();
        keyListener = undefined;
      }
    },
  };
}
