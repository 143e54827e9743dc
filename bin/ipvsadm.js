#!/usr/bin/env node
// ipvsadm: argv to the CLI (src/cli/main.ts) through the app boundary, from the one-file bundle
// `npm run build` makes (dist/cli/bundle.cjs, entry src/cli/entries.ts).
require('../dist/cli/bundle.cjs').ipvsadm(process.argv.slice(2));
