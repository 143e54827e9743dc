#!/usr/bin/env node
// ipvsadm: forwards argv to the CLI entry (src/cli/main.ts) through the app boundary (run-process.ts).
import { main } from '../dist/cli/main.js';
import { runProcess } from '../dist/cli/run-process.js';

await runProcess('ipvsadm', (io) => main(process.argv.slice(2), io));
