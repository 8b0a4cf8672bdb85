#!/usr/bin/env node
/**
 * `node tools/conformance/dist/main.js [--backend NAME...] [--dtype D] [--seed N] [--out FILE]`:
 * runs the conformance suite, prints a table per backend and dtype, writes JSON.
 */
import { main } from './cli';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`conformance: ${(e as Error).message ?? String(e)}\n`);
    process.exitCode = 2;
  },
);
