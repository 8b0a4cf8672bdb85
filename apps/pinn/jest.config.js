module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'pinn',
  // Training yields to the event loop every epoch (for Ctrl-C), so jest's
  // timeout can now fire during in-process training; the default 5 s is too
  // short for the smoke runs on a loaded 2-core machine.
  testTimeout: 60_000,
  // In-process runs use onnxruntime by default, which checks typed arrays with
  // instanceof across realms: share the main realm's constructors.
  testEnvironment: require('node:path').join(
    __dirname,
    '../../tools/jest/onnxruntime-environment.js',
  ),
};
