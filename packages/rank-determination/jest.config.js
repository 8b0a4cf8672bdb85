module.exports = { ...require('../../jest.preset.js'), displayName: 'rank-determination' };
