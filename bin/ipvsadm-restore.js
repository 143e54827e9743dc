#!/usr/bin/env node
// ipvsadm-restore: flush, then `ipvsadm -R` of stdin without `#` lines (src/cli/scripts.ts).
require('../dist/cli/bundle.cjs').ipvsadmRestore(process.argv.slice(2));
