/**
 * The fused elementwise kernel against the same steps run as separate
 * `unary`/`binary` kernels: bit-identical results (NaN included) on random
 * programs, operand layouts and dtypes (fast-check), and one-line errors.
 */
import fc from 'fast-check';
import {
  BINARY_OPS,
  UNARY_OPS,
  type DType,
  type ElementwiseProgram,
  type ElementwiseStep,
  type Tensor,
} from '../../backend';
import { randomData, shapeArb, size } from '../../test-utils/naive.test-utils';
import { referenceBackend as B } from '../register-all-kernels';

/**
 * An operand shape that broadcasts to `shape`: all of it, a scalar, or its
 * trailing axes with any of them replaced by 1 (a column `[N, 1]`, a
 * direction-indexed `[B, 1, w]`, ...), maybe with extra leading ones.
 */
function operandArb(shape: readonly number[]): fc.Arbitrary<number[]> {
  return fc
    .oneof(
      fc.constant([...shape]),
      fc.constantFrom<number[]>([], [1], [1, 1]),
      fc
        .tuple(
          fc.integer({ min: 0, max: shape.length }),
          fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
          fc.boolean(),
        )
        .map(([drop, ones, lead]) => [
          ...(lead ? [1] : []),
          ...shape.slice(drop).map((d, i) => (ones[drop + i] ? 1 : d)),
        ]),
    )
    .map((s) => [...s]);
}

/**
 * Output shapes: small ones of any rank, and ones whose last axis (the generated kernel's
 * innermost loop when operands broadcast) crosses the unrolled loop's width with a remainder.
 */
const outShapeArb = fc.oneof(
  shapeArb(3, 4),
  fc.tuple(shapeArb(2, 3), fc.integer({ min: 7, max: 19 })).map(([lead, last]) => [...lead, last]),
);

function programArb(operands: number): fc.Arbitrary<ElementwiseProgram> {
  return fc.integer({ min: 1, max: 6 }).chain((n) =>
    fc
      .tuple(
        ...Array.from({ length: n }, (_, i) =>
          fc.oneof(
            fc
              .tuple(fc.constantFrom(...UNARY_OPS), fc.nat(operands + i - 1))
              .map(([op, a]): ElementwiseStep => ({ op, args: [a] })),
            fc
              .tuple(
                fc.constantFrom(...BINARY_OPS),
                fc.nat(operands + i - 1),
                fc.nat(operands + i - 1),
              )
              .map(([op, a, b]): ElementwiseStep => ({ op, args: [a, b] })),
          ),
        ),
      )
      .map((steps) => ({ steps })),
  );
}

/** The program run step by step with the separate kernels, broadcast to `shape` at the end. */
function stepByStep(program: ElementwiseProgram, operands: Tensor[], shape: number[]): Tensor {
  const regs = [...operands];
  for (const s of program.steps) {
    regs.push(
      s.args.length === 1
        ? B.unary(s.op as (typeof UNARY_OPS)[number], regs[s.args[0]])
        : B.binary(s.op as (typeof BINARY_OPS)[number], regs[s.args[0]], regs[s.args[1]]),
    );
  }
  const last = regs[regs.length - 1];
  const dims = [...last.shape];
  while (dims.length > shape.length && dims[0] === 1) dims.shift(); // [1, 1] fuses into [3]
  return B.broadcastTo(B.reshape(last, dims), shape);
}

describe('reference elementwise (fused kernel)', () => {
  test.each<DType>(['float64', 'float32'])(
    'equals the steps run as separate kernels, bit for bit (%s)',
    (dtype) => {
      fc.assert(
        fc.property(
          outShapeArb.chain((shape) =>
            fc.tuple(
              fc.constant(shape),
              fc.array(operandArb(shape), { minLength: 1, maxLength: 3 }),
              fc.integer({ min: 1, max: 1_000_000 }),
            ),
          ),
          ([shape, shapes, seed]) => {
            const operands = shapes.map((s, i) =>
              B.fromArray(randomData(seed + i, size(s), 3), s, dtype),
            );
            fc.assert(
              fc.property(programArb(operands.length), (program) => {
                const fused = B.readSync(B.elementwise(program, operands, shape));
                const plain = B.readSync(stepByStep(program, operands, shape));
                expect(fused.length).toBe(plain.length);
                for (let i = 0; i < plain.length; i++)
                  expect(Object.is(fused[i], plain[i])).toBe(true);
              }),
              { numRuns: 10 },
            );
          },
        ),
        { numRuns: 40 },
      );
    },
  );

  test('a column and a direction-indexed row broadcast into their axes', () => {
    const col = B.fromArray([1, 2], [2, 1, 1], 'float64'); // [B, N, 1]: one value per direction
    const row = B.fromArray([10, 20, 30, 40, 50, 60], [2, 1, 3], 'float64'); // [B, 1, w]
    const t = B.fromArray([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1], [2, 2, 3], 'float64');
    const out = B.elementwise(
      {
        steps: [
          { op: 'mul', args: [0, 1] },
          { op: 'add', args: [3, 2] },
        ],
      },
      [col, row, t],
      [2, 2, 3],
    );
    expect(Array.from(B.readSync(out))).toEqual([
      10, 20, 30, 10, 20, 30, 81, 101, 121, 81, 101, 121,
    ]);
  });

  test('a trailing-axes operand repeats over the leading axes', () => {
    const t = B.fromArray([1, 2, 3, 4, 5, 6], [2, 3], 'float64');
    const row = B.fromArray([10, 20, 30], [3], 'float64');
    const out = B.elementwise(
      {
        steps: [
          { op: 'mul', args: [0, 1] },
          { op: 'neg', args: [2] },
        ],
      },
      [t, row],
      [2, 3],
    );
    expect(Array.from(B.readSync(out))).toEqual([-10, -40, -90, -40, -100, -180]);
  });

  test('bad programs and operands get one-line errors naming the problem', () => {
    const x = B.fromArray([1, 2, 3, 4], [2, 2], 'float64');
    const col = B.fromArray([1, 2, 3], [3], 'float64');
    const x32 = B.fromArray([1, 2, 3, 4], [2, 2], 'float32');
    const step = (op: string, args: number[]) => ({ steps: [{ op, args } as ElementwiseStep] });
    expect(() => B.elementwise(step('tanh', [1]), [x], [2, 2])).toThrow(
      /step 0 \(tanh\) reads registers \[1\]; it needs 1 of 0\.\.0/,
    );
    expect(() => B.elementwise(step('erf', [0]), [x], [2, 2])).toThrow(/unknown op 'erf'/);
    expect(() => B.elementwise(step('add', [0, 1]), [x, col], [2, 2])).toThrow(
      /operand \[3\] does not broadcast to \[2,2\]/,
    );
    expect(() => B.elementwise(step('add', [0, 1]), [x, x32], [2, 2])).toThrow(/dtype/);
    expect(() => B.elementwise({ steps: [] }, [x], [2, 2])).toThrow(/no steps/);
    for (const e of [
      () => B.elementwise(step('tanh', [1]), [x], [2, 2]),
      () => B.elementwise(step('add', [0, 1]), [x, col], [2, 2]),
    ]) {
      try {
        e();
      } catch (err) {
        expect((err as Error).message).not.toContain('\n');
      }
    }
  });
});
