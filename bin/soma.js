#!/usr/bin/env node
// Launcher: the CLI lives in dist/ (built by `npm run build`, run by `npm install` through `prepare`).
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
