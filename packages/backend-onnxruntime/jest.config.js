module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'backend-onnxruntime',
  testEnvironment: require('node:path').join(__dirname, 'jest.environment.js'),
};
