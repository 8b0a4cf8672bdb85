module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'backend-onnxruntime',
  testEnvironment: require('node:path').join(
    __dirname,
    '../../tools/jest/onnxruntime-environment.js',
  ),
  // Tests that compile sessions take a second alone and many under load (a
  // shared 2-core machine reached load 35): jest's default 5 s is a flake.
  testTimeout: 60_000,
};
