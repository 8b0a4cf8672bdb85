module.exports = { ...require('../../jest.preset.js'), displayName: 'set-function' };
