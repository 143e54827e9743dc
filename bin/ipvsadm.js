#!/usr/bin/env node
// ipvsadm: argv to the CLI (src/cli/main.ts) through the app boundary, from the one-file bundle
// `npm run build` makes (dist/cli/bundle.cjs, entry src/entry/programs.ts), compiled from its code
// cache when there is one (src/cli/code-cache.ts); import() is passed in for the leading words.
const bundle = require('node:path').join(__dirname, '../dist/cli/bundle.cjs');
require('../dist/cli/loader.cjs').loadBundle(bundle, { command: process.argv[2] }).ipvsadm(process.argv.slice(2), (url) => import(url));
