module.exports = { ...require('../../jest.preset.js'), displayName: 'hessian-projection' };
