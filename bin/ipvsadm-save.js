#!/usr/bin/env node
// ipvsadm-save: `ipvsadm -S [-n]` with the 1.31 wrapper's argument handling (src/cli/scripts.ts).
import { runProcess } from '../dist/cli/run-process.js';
import { mainSave } from '../dist/cli/scripts.js';

await runProcess('ipvsadm', (io) => mainSave(process.argv.slice(2), io));
