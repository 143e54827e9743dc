// Loads the one-file bundle (dist/cli/bundle.cjs) through V8's code cache: the bytecode a first
// run compiled is kept beside the bundle (`bundle.cjs.-a.cache` for `-a`, ..., as Python keeps
// __pycache__), so later runs of that command skip most compiling (about 60 ms a command in the
// user-mode kernel). A cache made for another bundle or Node is not used but made again; one
// that cannot be written is done without. The bundle has no import() (a vm.Script cannot run
// one): bin/ passes it in.
import { readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';
import { V8_TIERING_FLAGS } from './v8-tiering.js';

export interface LoadOptions {
  /**
   * which command runs (its first word): each kind keeps a cache of its own, since a cache holds
   * what the run that made it compiled (`-v` compiles little of what `-a` needs)
   */
  readonly command?: string;
  /** registers the cache writer; default: at process exit, once the run compiled what it used */
  readonly atExit?: (write: () => void) => void;
  /** sets V8 flags before the bundle is compiled (default: v8.setFlagsFromString; see v8-tiering.ts) */
  readonly setV8Flags?: (flags: string) => void;
}

/** The cache file for `command`: a word of letters and dashes names its own, anything else shares one. */
export function cacheFileOf(file: string, command: string | undefined): string {
  const kind = command !== undefined && /^-{0,2}[A-Za-z][A-Za-z-]{0,23}$/.test(command) ? command : 'other';
  return `${file}.${kind}.cache`;
}

/**
 * What the cache file starts with: the bundle (size and time: V8 itself only compares the
 * source's length) and the Node it was made by, then a newline.
 */
export function cacheHeader(file: string): string {
  const st = statSync(file);
  return `ipvsadm code cache ${process.version} ${process.arch} ${st.size} ${st.mtimeMs}\n`;
}

/** The module.exports of the CommonJS file `file`, compiled from its code cache when it has one. */
export function loadBundle<T>(file: string, options: LoadOptions = {}): T {
  // before the compile: the flags are part of what V8 checks a code cache against
  (options.setV8Flags ?? setFlagsFromString)(V8_TIERING_FLAGS);
  const header = cacheHeader(file);
  const cacheFile = cacheFileOf(file, options.command);
  const cachedData = readCache(cacheFile, header);
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`;
  const script = new Script(wrapped, { filename: file, ...(cachedData ? { cachedData } : {}) });
  if (!cachedData || script.cachedDataRejected) (options.atExit ?? onExit)(() => writeCache(script, cacheFile, header));
  const module = { exports: {} as T };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return module.exports;
}

const onExit = (write: () => void): void => void process.once('exit', write);

/** The cached bytecode after a matching header, or undefined (no file, other bundle or Node). */
function readCache(cacheFile: string, header: string): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  const nl = bytes.indexOf(10);
  if (nl < 0 || bytes.toString('latin1', 0, nl + 1) !== header) return undefined;
  return bytes.subarray(nl + 1);
}

/** Written whole or not at all (a temporary file renamed over it), and never an error. */
function writeCache(script: Script, cacheFile: string, header: string): void {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, Buffer.concat([Buffer.from(header, 'latin1'), script.createCachedData()]), { flag: 'wx', mode: 0o644 });
    renameSync(tmp, cacheFile);
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
  }
}
