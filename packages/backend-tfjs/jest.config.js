module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'backend-tfjs',
  // tfjs keeps its engine on the global object; jest's cleanup of globals between files only warns about it.
  testEnvironmentOptions: { globalsCleanup: 'off' },
};
