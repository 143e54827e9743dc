#!/usr/bin/env node
// ipvsadm: forwards argv to the CLI entry (see src/cli/main.ts).
import { main } from '../dist/cli/main.js';
import { processIo } from '../dist/cli/process-io.js';

process.exitCode = await main(process.argv.slice(2), processIo('ipvsadm'));
