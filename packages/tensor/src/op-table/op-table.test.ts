import fc from 'fast-check';
import { referenceBackend } from '../reference/register-all-kernels';
import { OP_TABLE, TensorError } from '../index';

const NOT_OPS = new Set(['name', 'dtypes', 'hints', 'read', 'readSync', 'dispose', 'describe']);

test('every kernel of the Backend interface has an entry, named after it', () => {
  const kernels = Object.keys(referenceBackend).filter((k) => !NOT_OPS.has(k));
  expect(Object.keys(OP_TABLE).sort()).toEqual(kernels.sort());
  for (const [key, spec] of Object.entries(OP_TABLE)) {
    expect(spec.name).toBe(key);
    expect(spec.operands.length).toBeGreaterThan(10);
  }
});

const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 });

test('reshape resolves a -1 to the dimension it replaced (any shape, any position)', () => {
  fc.assert(
    fc.property(shapeArb, fc.nat(), (shape, k) => {
      const at = k % shape.length;
      const target = shape.map((d, i) => (i === at ? -1 : d));
      const x = { shape: [shape.reduce((n, d) => n * d, 1)], dtype: 'float64' as const };
      expect(OP_TABLE.reshape.infer([x], { shape: target }).shape).toEqual(shape);
    }),
  );
});

test('transpose defaults to the reversed axes and maps each output axis to its input axis', () => {
  fc.assert(
    fc.property(shapeArb, (shape) => {
      const x = { shape, dtype: 'float32' as const };
      const { shape: out, perm } = OP_TABLE.transpose.infer([x], {});
      expect(perm).toEqual(shape.map((_, i) => shape.length - 1 - i));
      expect(out).toEqual([...shape].reverse());
    }),
  );
});

test('errors are one-line TensorErrors naming the op', () => {
  const a = { shape: [2, 3], dtype: 'float64' as const };
  const calls: [() => unknown, string][] = [
    [
      () => OP_TABLE.matmul.infer([a, a], {}),
      'matmul: inner dimensions differ: [2,3] x [2,3] (3 != 2)',
    ],
    [() => OP_TABLE.where.infer([a, a], {}), 'where: expects 3 operand(s), got 2'],
    [
      () => OP_TABLE.binary.infer([a, { shape: [3], dtype: 'float32' }], { op: 'add' }),
      'add: dtypes differ: [2,3] float64 and [3] float32; cast one with cast()',
    ],
  ];
  for (const [call, message] of calls) {
    expect(call).toThrow(TensorError);
    expect(call).toThrow(message);
  }
});
