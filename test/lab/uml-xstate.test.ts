// The FPU-state helper library for linux.uml on hosts with AMX: when the host needs it, that it
// builds, and — on this host's own kernel — that a state write of linux.uml's 2,696 bytes, refused
// here without it exactly when the CPU has AMX, succeeds through it and reads back unchanged.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildXstateShim, xstateShimReason } from '../../src/lab/uml-xstate.js';

describe('xstateShimReason', () => {
  const saved = process.env['IPVSADM_UML_XSTATE_SHIM'];
  afterAll(() => {
    if (saved === undefined) delete process.env['IPVSADM_UML_XSTATE_SHIM'];
    else process.env['IPVSADM_UML_XSTATE_SHIM'] = saved;
  });

  it('names AMX when the flags have amx_tile, nothing otherwise; the variable overrides', () => {
    delete process.env['IPVSADM_UML_XSTATE_SHIM'];
    const amx = 'processor\t: 0\nflags\t\t: fpu sse2 avx512f amx_bf16 amx_tile xsave\nbugs\t\t:\n';
    const plain = 'processor\t: 0\nflags\t\t: fpu sse2 avx512f xsave\n';
    expect(xstateShimReason(amx)).toBe('the host CPU has AMX');
    expect(xstateShimReason(plain)).toBeUndefined();
    expect(xstateShimReason('flags\t: amx_tiles\n')).toBeUndefined();
    expect(xstateShimReason('')).toBeUndefined();
    process.env['IPVSADM_UML_XSTATE_SHIM'] = '0';
    expect(xstateShimReason(amx)).toBeUndefined();
    process.env['IPVSADM_UML_XSTATE_SHIM'] = '1';
    expect(xstateShimReason(plain)).toBe('IPVSADM_UML_XSTATE_SHIM=1');
  });
});

// A tracer that does what linux.uml does: reads a stopped child's state into a 2,696-byte buffer,
// marks xmm0 (and with an argument, claims AMX tile data in use in the header, which the buffer
// cannot hold), writes it back, reads it again. Prints "set=<errno or 0> xmm0=<ok|lost> tiles=<1|0>".
const TRACER = String.raw`
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdint.h>
int main(int argc, char **argv) {
  pid_t child = fork();
  if (child == 0) { ptrace(PTRACE_TRACEME, 0, 0, 0); raise(SIGSTOP); _exit(0); }
  int status;
  waitpid(child, &status, 0);
  static unsigned char buf[2696], back[2696];
  struct iovec iov = { buf, sizeof buf };
  if (ptrace(PTRACE_GETREGSET, child, (void *)NT_X86_XSTATE, &iov) != 0) { perror("get"); return 2; }
  memset(buf + 160, 0x5a, 16); /* xmm0 in the legacy area */
  if (argc > 1) buf[512 + 2] |= 1 << 2; /* xstate_bv bit 18: XTILEDATA */
  iov.iov_len = sizeof buf;
  int set = ptrace(PTRACE_SETREGSET, child, (void *)NT_X86_XSTATE, &iov) == 0 ? 0 : errno;
  struct iovec again = { back, sizeof back };
  ptrace(PTRACE_GETREGSET, child, (void *)NT_X86_XSTATE, &again);
  printf("set=%d xmm0=%s tiles=%d\n", set, memcmp(back + 160, buf + 160, 16) == 0 ? "ok" : "lost", (back[512 + 2] >> 2) & 1);
  kill(child, SIGKILL);
  return 0;
}
`;

const hasCompiler = spawnSync('cc', ['--version']).status === 0;
const onX86 = process.arch === 'x64';

describe.runIf(hasCompiler && onX86)('the helper library on this host (cc and x86-64 present)', () => {
  let dir = '';
  let tracer = '';
  let library = '';
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uml-xstate-'));
    library = buildXstateShim(path.join(dir, 'cache'));
    fs.writeFileSync(path.join(dir, 'tracer.c'), TRACER);
    tracer = path.join(dir, 'tracer');
    const r = spawnSync('cc', ['-O', '-o', tracer, path.join(dir, 'tracer.c')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const run = (env: NodeJS.ProcessEnv, ...args: string[]): string => {
    const r = spawnSync(tracer, args, { encoding: 'utf8', env });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.trim();
  };

  it('is built once into the cache directory and found there the second time', () => {
    expect(path.basename(library)).toMatch(/^uml-xstate-[0-9a-f]{16}\.so$/);
    const mtime = fs.statSync(library).mtimeMs;
    expect(buildXstateShim(path.join(dir, 'cache'))).toBe(library);
    expect(fs.statSync(library).mtimeMs).toBe(mtime);
    expect(fs.readdirSync(path.join(dir, 'cache'))).toEqual([path.basename(library)]);
  });

  it('without it the 2,696-byte write is refused exactly when the host needs it', () => {
    const needed = xstateShimReason() !== undefined && process.env['IPVSADM_UML_XSTATE_SHIM'] === undefined;
    expect(run({ ...process.env, LD_PRELOAD: '' })).toBe(needed ? 'set=14 xmm0=lost tiles=0' : 'set=0 xmm0=ok tiles=0');
  });

  it('with it the write succeeds and the state reads back as written', () => {
    expect(run({ ...process.env, LD_PRELOAD: library })).toBe('set=0 xmm0=ok tiles=0');
  });

  it.runIf(fs.readFileSync('/proc/cpuinfo', 'latin1').includes(' amx_tile'))(
    'with it, a component past the buffer (AMX tile data) is written as in initial state, not as zeros in use',
    () => {
      expect(run({ ...process.env, LD_PRELOAD: library }, 'mark-tiles')).toBe('set=0 xmm0=ok tiles=0');
    },
  );
});
