#!/usr/bin/env node
// ipvsadm-restore: flush, then `ipvsadm -R` of stdin without `#` lines (src/cli/scripts.ts).
import { processIo } from '../dist/cli/process-io.js';
import { mainRestore } from '../dist/cli/scripts.js';

process.exitCode = await mainRestore(process.argv.slice(2), processIo('ipvsadm'));
