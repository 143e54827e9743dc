#!/usr/bin/env node
// ipvsadm-save: `ipvsadm -S [-n]` with the 1.31 wrapper's argument handling (src/cli/scripts.ts).
require('../dist/cli/bundle.cjs').ipvsadmSave(process.argv.slice(2));
