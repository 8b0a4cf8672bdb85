const path = require('node:path');

module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'conformance',
  // onnxruntime-node checks typed arrays with instanceof across realms: this
  // environment shares the main realm's typed-array constructors.
  testEnvironment: path.join(__dirname, '../jest/onnxruntime-environment.js'),
  // tfjs keeps its engine on the global object; jest's cleanup of globals between files only warns about it.
  testEnvironmentOptions: { globalsCleanup: 'off' },
};
