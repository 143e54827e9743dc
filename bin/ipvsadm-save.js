#!/usr/bin/env node
// ipvsadm-save: `ipvsadm -S [-n]` with the 1.31 wrapper's argument handling (src/cli/scripts.ts).
import { processIo } from '../dist/cli/process-io.js';
import { mainSave } from '../dist/cli/scripts.js';

process.exitCode = await mainSave(process.argv.slice(2), processIo('ipvsadm'));
