// onnxruntime-node hands back typed arrays made in Node's main realm, and
// onnxruntime-common checks them with `instanceof` against the test sandbox's
// constructors, which differ under jest. Sharing the main realm's typed-array
// constructors with the sandbox (as jest already does for Uint8Array) makes the
// checks pass; nothing else about the environment changes.
const { TestEnvironment } = require('jest-environment-node');

const TYPED_ARRAYS = [
  'Float32Array',
  'Float64Array',
  'Int8Array',
  'Int16Array',
  'Int32Array',
  'Uint16Array',
  'Uint32Array',
  'BigInt64Array',
  'BigUint64Array',
];

class OnnxruntimeEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of TYPED_ARRAYS) this.global[name] = globalThis[name];
  }
}

module.exports = OnnxruntimeEnvironment;
