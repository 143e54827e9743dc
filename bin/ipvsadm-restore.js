#!/usr/bin/env node
// ipvsadm-restore: flush, then `ipvsadm -R` of stdin without `#` lines (src/cli/scripts.ts).
const bundle = require('node:path').join(__dirname, '../dist/cli/bundle.cjs');
require('../dist/cli/loader.cjs').loadBundle(bundle, { command: 'restore' }).ipvsadmRestore(process.argv.slice(2));
