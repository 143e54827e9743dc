#!/usr/bin/env node
// ipvsadm-restore: flush, then `ipvsadm -R` of stdin without `#` lines (src/cli/scripts.ts).
import { runProcess } from '../dist/cli/run-process.js';
import { mainRestore } from '../dist/cli/scripts.js';

await runProcess('ipvsadm', (io) => mainRestore(process.argv.slice(2), io));
