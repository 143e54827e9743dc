// Debian's linux.uml 6.1 writes its guests' FPU state back with PTRACE_SETREGSET(NT_X86_XSTATE)
// from a 2,696-byte buffer (x87 to PKRU); a host kernel whose CPU has AMX wants the whole 11,008
// bytes and refuses with EFAULT, and the guest's init dies at once ("ptrace set fp regs failed,
// errno = 14"). This module builds a small LD_PRELOAD library that retries such a write with a
// buffer of the host's size, and says when the host needs it. Source of truth: the host's own
// replies (measured: GETREGSET reports 11,008 bytes, SETREGSET accepts nothing shorter).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The preload library. A refused state write is redone from a zeroed buffer of the host's size
 * holding UML's bytes; components UML's buffer could not hold are marked "in initial state" in
 * the header, which is the truth for them: UML never read them. Everything else passes through.
 */
export const XSTATE_SHIM_SOURCE = String.raw`
#define _GNU_SOURCE
#include <cpuid.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/uio.h>

#define MAX_XSTATE 65536
#define HEADER_OFFSET 512

static long (*next_ptrace)(int, ...);
static unsigned char scratch[MAX_XSTATE];
static size_t host_size; /* 0: not known yet; SIZE_MAX: this host needs no help */

static size_t learn_host_size(pid_t pid) {
  struct iovec probe = { scratch, sizeof scratch };
  if (next_ptrace(PTRACE_GETREGSET, pid, (void *)NT_X86_XSTATE, &probe) != 0) return 0;
  return probe.iov_len;
}

/* Clears, in the XSAVE header, each component that does not fit in the first len bytes. */
static void forget_components_past(unsigned char *buf, size_t len) {
  uint64_t features;
  memcpy(&features, buf + HEADER_OFFSET, sizeof features);
  for (unsigned bit = 2; bit < 64; bit++) {
    if (!(features & ((uint64_t)1 << bit))) continue;
    unsigned size, offset, ecx, edx;
    __cpuid_count(0xd, bit, size, offset, ecx, edx);
    if ((size_t)offset + size > len) features &= ~((uint64_t)1 << bit);
  }
  memcpy(buf + HEADER_OFFSET, &features, sizeof features);
}

long ptrace(enum __ptrace_request request, ...) {
  va_list ap;
  va_start(ap, request);
  pid_t pid = va_arg(ap, pid_t);
  void *addr = va_arg(ap, void *);
  void *data = va_arg(ap, void *);
  va_end(ap);
  if (!next_ptrace) next_ptrace = (long (*)(int, ...))dlsym(RTLD_NEXT, "ptrace");
  long result = next_ptrace(request, pid, addr, data);
  if (result == 0 || errno != EFAULT || request != PTRACE_SETREGSET || (long)addr != NT_X86_XSTATE) return result;
  struct iovec *given = data;
  if (host_size == 0) host_size = learn_host_size(pid);
  if (host_size == 0 || host_size > MAX_XSTATE || given->iov_len >= host_size || given->iov_len < HEADER_OFFSET + 64) {
    errno = EFAULT;
    return -1;
  }
  memset(scratch, 0, host_size);
  memcpy(scratch, given->iov_base, given->iov_len);
  forget_components_past(scratch, given->iov_len);
  struct iovec whole = { scratch, host_size };
  return next_ptrace(PTRACE_SETREGSET, pid, (void *)NT_X86_XSTATE, &whole);
}
`;

/** Why the host needs the library, or undefined when it does not (override: IPVSADM_UML_XSTATE_SHIM=1|0). */
export function xstateShimReason(cpuinfo: string = readCpuinfo()): string | undefined {
  const forced = process.env['IPVSADM_UML_XSTATE_SHIM'];
  if (forced === '0') return undefined;
  if (forced === '1') return 'IPVSADM_UML_XSTATE_SHIM=1';
  const flags = /^flags\s*:(.*)$/m.exec(cpuinfo)?.[1]?.trim().split(/\s+/) ?? [];
  // AMX (tile config and data) is what grows the host's state past what linux.uml 6.1 holds.
  return flags.includes('amx_tile') ? 'the host CPU has AMX' : undefined;
}

function readCpuinfo(): string {
  try {
    return fs.readFileSync('/proc/cpuinfo', 'latin1');
  } catch {
    return '';
  }
}

/**
 * The path of the compiled library: built once per source text into the cache directory with the
 * host's C compiler (cc, gcc or clang). Throws an Error naming what is missing when it cannot be built.
 */
export function buildXstateShim(cacheDir: string = defaultCacheDir()): string {
  const hash = createHash('sha256').update(XSTATE_SHIM_SOURCE).digest('hex').slice(0, 16);
  const library = path.join(cacheDir, `uml-xstate-${hash}.so`);
  if (fs.existsSync(library)) return library;
  fs.mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
  const work = fs.mkdtempSync(path.join(cacheDir, 'build-'));
  try {
    const source = path.join(work, 'uml-xstate.c');
    fs.writeFileSync(source, XSTATE_SHIM_SOURCE);
    const built = path.join(work, 'uml-xstate.so');
    const failures: string[] = [];
    for (const cc of ['cc', 'gcc', 'clang']) {
      const r = spawnSync(cc, ['-O2', '-shared', '-fPIC', '-o', built, source, '-ldl'], { encoding: 'utf8' });
      if (r.status === 0) {
        fs.renameSync(built, library);
        return library;
      }
      failures.push(`${cc}: ${r.error ? r.error.message : (r.stderr.trim().split('\n')[0] ?? `exit ${r.status}`)}`);
    }
    throw new Error(`no C compiler could build it (${failures.join('; ')}); install one (as root): apt-get install -y gcc`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function defaultCacheDir(): string {
  const xdg = process.env['XDG_CACHE_HOME'];
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
  return path.join(base, 'ipvsadm-ts');
}
