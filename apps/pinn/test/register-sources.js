// Test helper for child processes: resolve `@sublora/<pkg>` to the package's
// TypeScript sources (as jest's moduleNameMapper does), so tests never run a
// stale build. Used with ts-node: node -r ts-node/register -r ./test/register-sources.js
const Module = require('node:module');
const path = require('node:path');

const packages = path.resolve(__dirname, '..', '..', '..', 'packages');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const match = /^@sublora\/([a-z0-9-]+)$/.exec(request);
  if (match) return resolve.call(this, path.join(packages, match[1], 'src', 'index.ts'), ...rest);
  return resolve.call(this, request, ...rest);
};
