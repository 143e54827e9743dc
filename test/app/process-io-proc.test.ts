// readProcFile: a whole file read through one growing buffer (procfs gives ~4 KiB per read and
// reports size 0, so the length is only known at the end).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readProcFile } from '../../src/app/process-io.js';

describe('readProcFile', () => {
  it('reads files of any size byte for byte, past the first buffer and across doublings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'procfile-'));
    try {
      for (const size of [0, 1, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 7]) {
        const bytes = Buffer.alloc(size);
        for (let i = 0; i < size; i++) bytes[i] = (i * 131 + (i >> 8)) & 0xff;
        const f = join(dir, `f${size}`);
        writeFileSync(f, bytes);
        expect(Buffer.compare(readProcFile(f, fs, 1 << 20), bytes), `size ${size}`).toBe(0);
        expect(Buffer.compare(readProcFile(f, fs), bytes), `size ${size}, default buffer`).toBe(0);
      }
      expect(Buffer.from(readProcFile('/proc/self/status', fs)).toString('latin1')).toMatch(/^Name:/);
      expect(() => readProcFile(join(dir, 'missing'), fs)).toThrow(/ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
