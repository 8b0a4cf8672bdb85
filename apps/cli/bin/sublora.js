#!/usr/bin/env node
// Committed shim so the `sublora` bin link works before the first build;
// the program itself is compiled to dist/ (npm ci builds it through `prepare`).
const path = require('node:path');
const main = path.join(__dirname, '..', 'dist', 'main.js');
try {
  require.resolve(main);
} catch {
  process.stderr.write(
    'sublora: the CLI is not built yet; run `npx nx run @sublora/cli:build` (npm ci builds it)\n',
  );
  process.exit(3);
}
require(main);
