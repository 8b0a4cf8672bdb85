// Shared jest settings: TypeScript through ts-jest in transpile-only mode (fast;
// types are checked by `npm run typecheck`), and `@sublora/*` resolved to sources so tests
// never depend on a stale build.
const path = require('node:path');

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      {
        tsconfig: path.join(__dirname, 'tsconfig.base.json'),
        diagnostics: false,
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@sublora/pinn$': path.join(__dirname, 'apps/pinn/src/index.ts'),
    '^@sublora/(.*)$': path.join(__dirname, 'packages/$1/src/index.ts'),
  },
  testMatch: ['<rootDir>/src/**/*.test.ts'],
  reporters: ['default', path.join(__dirname, 'tools/jest/summary-reporter.js')],
};
