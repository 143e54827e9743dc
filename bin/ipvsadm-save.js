#!/usr/bin/env node
// ipvsadm-save: `ipvsadm -S [-n]` with the 1.31 wrapper's argument handling (src/cli/scripts.ts).
const bundle = require('node:path').join(__dirname, '../dist/cli/bundle.cjs');
require('../dist/cli/loader.cjs').loadBundle(bundle, { command: 'save' }).ipvsadmSave(process.argv.slice(2));
