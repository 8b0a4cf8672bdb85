/**
 * The kernel cases: every method of the Backend interface, on seeded random
 * shapes and values. Each case draws its inputs once; the harness runs it on
 * the backend under test and on the float64 reference backend.
 */
import {
  shapesEqual,
  type Backend,
  type Random,
  type BinaryOp,
  type CompareOp,
  type DType,
  type ElementwiseProgram,
  type ElementwiseStep,
  type ReduceOp,
  type Tensor,
  type UnaryOp,
} from '@sublora/tensor';
import {
  broadcastPair,
  choose,
  intIn,
  permutation,
  randomAxes,
  randomShape,
  uniform,
  type HostTensor,
} from './random';
import type { ToleranceKind } from './tolerance';

/** What a case computes: a result, several, or (whole graphs) a promise of several. */
export type CaseOutput = Tensor | readonly Tensor[] | Promise<readonly Tensor[]>;

/** One drawn instance of a case. */
export interface CaseInstance {
  /** Inputs, uploaded with `fromArray` in the dtype under test. */
  readonly inputs: readonly HostTensor[];
  /** How the result may differ from the reference (see `tolerance.ts`). */
  readonly kind: ToleranceKind;
  /** k, the number of terms accumulated into each output element. */
  readonly terms?: number;
  /** Shapes and parameters, for the report. */
  readonly detail: string;
  /**
   * Computes the result from the uploaded inputs. Temporaries made along the
   * way go through `temp`, which disposes them afterwards.
   */
  compute(
    backend: Backend,
    xs: readonly Tensor[],
    dtype: DType,
    temp: (t: Tensor) => Tensor,
  ): CaseOutput;
}

/** A named conformance case; `setup` draws a fresh instance from the seeded stream. */
export interface ConformanceCase {
  readonly name: string;
  /** The Backend method it exercises. */
  readonly op: string;
  setup(rng: Random): CaseInstance;
}

const s = (shape: readonly number[]) => `[${shape.join(',')}]`;

/** Input domains that keep each unary op finite and well conditioned. */
const UNARY_DOMAINS: Readonly<Record<UnaryOp, [number, number]>> = {
  neg: [-2, 2],
  exp: [-3, 3],
  log: [0.1, 4],
  tanh: [-3, 3],
  sin: [-4, 4],
  cos: [-4, 4],
  sqrt: [0, 4],
  square: [-2, 2],
  abs: [-2, 2],
  sign: [-2, 2],
  reciprocal: [0.5, 3],
};

function creationCases(): ConformanceCase[] {
  return [
    {
      name: 'fromArray',
      op: 'fromArray',
      setup: (rng) => {
        const shape = randomShape(rng, intIn(rng, 0, 4));
        return {
          inputs: [uniform(rng, shape)],
          kind: 'exact',
          detail: s(shape),
          compute: (_b, [x]) => [x],
        };
      },
    },
    {
      name: 'fill',
      op: 'fill',
      setup: (rng) => {
        const shape = randomShape(rng, intIn(rng, 0, 3));
        const value = Math.fround(rng.uniform32() * 4 - 2);
        return {
          inputs: [],
          kind: 'exact',
          detail: `${s(shape)} = ${value}`,
          compute: (b, _xs, dtype) => b.fill(shape, value, dtype),
        };
      },
    },
    {
      name: 'zeros (with an empty axis)',
      op: 'zeros',
      setup: (rng) => {
        const shape = [intIn(rng, 1, 3), 0, intIn(rng, 1, 3)];
        return {
          inputs: [],
          kind: 'exact',
          detail: s(shape),
          compute: (b, _xs, dtype) => [b.zeros(shape, dtype), b.zeros([3], dtype)],
        };
      },
    },
  ];
}

function unaryCases(): ConformanceCase[] {
  return (Object.keys(UNARY_DOMAINS) as UnaryOp[]).map((op) => ({
    name: `unary ${op}`,
    op: 'unary',
    setup: (rng) => {
      const shape = randomShape(rng, intIn(rng, 1, 3));
      const [lo, hi] = UNARY_DOMAINS[op];
      const x =
        op === 'sign' ? choose(rng, shape, [-1.5, -0.25, 0, 0.5, 2]) : uniform(rng, shape, lo, hi);
      return {
        inputs: [x],
        kind: 'elementwise',
        detail: s(shape),
        compute: (b, [t]) => b.unary(op, t),
      };
    },
  }));
}

function binaryCases(): ConformanceCase[] {
  const ops: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum'];
  return ops.map((op) => ({
    name: `binary ${op} (broadcast)`,
    op: 'binary',
    setup: (rng) => {
      const [sa, sb] = broadcastPair(rng);
      const a = op === 'pow' ? uniform(rng, sa, 0.2, 2) : uniform(rng, sa, -2, 2);
      const b =
        op === 'div'
          ? uniform(rng, sb, 0.5, 2)
          : op === 'pow'
            ? uniform(rng, sb, -2, 2)
            : uniform(rng, sb, -2, 2);
      return {
        inputs: [a, b],
        kind: op === 'maximum' || op === 'minimum' ? 'exact' : 'elementwise',
        detail: `${s(sa)} ${op} ${s(sb)}`,
        compute: (be, [x, y]) => be.binary(op, x, y),
      };
    },
  }));
}

function compareCases(): ConformanceCase[] {
  const ops: CompareOp[] = ['less', 'lessEqual', 'greater', 'greaterEqual', 'equal'];
  const ties = [-1, -0.5, 0, 0.5, 1];
  return [
    ...ops.map<ConformanceCase>((op) => ({
      name: `compare ${op} (broadcast, ties)`,
      op: 'compare',
      setup: (rng) => {
        const [sa, sb] = broadcastPair(rng);
        return {
          inputs: [choose(rng, sa, ties), choose(rng, sb, ties)],
          kind: 'exact',
          detail: `${s(sa)} ${op} ${s(sb)}`,
          compute: (be, [x, y]) => be.compare(op, x, y),
        };
      },
    })),
    {
      name: 'where (broadcast all three)',
      op: 'where',
      setup: (rng) => {
        const [sc, sa] = broadcastPair(rng);
        const sb = sa.slice(intIn(rng, 0, sa.length));
        return {
          inputs: [choose(rng, sc, [0, 1, -2]), uniform(rng, sa), uniform(rng, sb)],
          kind: 'exact',
          detail: `${s(sc)} ? ${s(sa)} : ${s(sb)}`,
          compute: (be, [c, x, y]) => be.where(c, x, y),
        };
      },
    },
  ];
}

/** The ops a random fused program draws from, and a bound on |result| given bounds on |operands|. */
const PROGRAM_UNARY: Readonly<Partial<Record<UnaryOp, (b: number) => number>>> = {
  neg: (b) => b,
  abs: (b) => b,
  tanh: () => 1,
  sin: () => 1,
  cos: () => 1,
  square: (b) => b * b,
};
const PROGRAM_BINARY: Readonly<Partial<Record<BinaryOp, (a: number, b: number) => number>>> = {
  add: (a, b) => a + b,
  sub: (a, b) => a + b,
  mul: (a, b) => a * b,
  maximum: (a, b) => Math.max(a, b),
  minimum: (a, b) => Math.max(a, b),
};

/**
 * A random program of `steps` steps over `operands` registers holding values
 * in [-1, 1]. Each step is drawn among those whose result stays within 4 in
 * magnitude, so float32 rounding (relative to |value| + 1) stays far below
 * the elementwise tolerance whatever cancels.
 */
function randomProgram(rng: Random, operands: number, steps: number): ElementwiseProgram {
  const bounds: number[] = Array.from({ length: operands }, () => 1);
  const program: ElementwiseStep[] = [];
  const unary = Object.entries(PROGRAM_UNARY) as [UnaryOp, (b: number) => number][];
  const binary = Object.entries(PROGRAM_BINARY) as [BinaryOp, (a: number, b: number) => number][];
  while (program.length < steps) {
    // Half the steps read the newest register, so chains are deep as well as wide.
    const pick = () => (rng.uniform32() < 0.5 ? bounds.length - 1 : rng.int(bounds.length));
    const [x, y] = [pick(), pick()];
    let step: ElementwiseStep, bound: number;
    if (rng.uniform32() < 0.4) {
      const [op, boundOf] = unary[rng.int(unary.length)];
      [step, bound] = [{ op, args: [x] }, boundOf(bounds[x])];
    } else {
      const [op, boundOf] = binary[rng.int(binary.length)];
      [step, bound] = [{ op, args: [x, y] }, boundOf(bounds[x], bounds[y])];
    }
    if (bound > 4) continue;
    program.push(step);
    bounds.push(bound);
  }
  return { steps: program };
}

/**
 * Runs `program` with the backend's fused kernel, or, on a backend without
 * one, step by step with `unary`/`binary` as autodiff's `evaluate` does.
 */
function runProgram(
  backend: Backend,
  program: ElementwiseProgram,
  operands: readonly Tensor[],
  shape: readonly number[],
  temp: (t: Tensor) => Tensor,
): Tensor {
  if (backend.elementwise) return backend.elementwise(program, operands, shape);
  const registers = [...operands];
  const last = program.steps.length - 1;
  program.steps.forEach(({ op, args }, i) => {
    const out =
      args.length === 1
        ? backend.unary(op as UnaryOp, registers[args[0]])
        : backend.binary(op as BinaryOp, registers[args[0]], registers[args[1]]);
    // `temp` disposes every step's result but the one returned
    registers.push(i < last ? temp(out) : out);
  });
  const result = registers[registers.length - 1];
  return shapesEqual(result.shape, shape) ? result : backend.broadcastTo(temp(result), shape);
}

function fusedCases(): ConformanceCase[] {
  return [
    {
      name: 'elementwise program (broadcast operands)',
      op: 'elementwise',
      setup: (rng) => {
        const shape = randomShape(rng, intIn(rng, 2, 4));
        // Each operand: the output shape, a suffix of it, or with unit axes (a row, a column, [B, 1, w], ...).
        const operandShapes = Array.from({ length: intIn(rng, 1, 4) }, () =>
          shape
            .slice(shape.length - intIn(rng, 0, shape.length))
            .map((d) => (rng.uniform32() < 0.3 ? 1 : d)),
        );
        const program = randomProgram(rng, operandShapes.length, intIn(rng, 3, 8));
        const listing = program.steps
          .map((st, i) => `%${operandShapes.length + i}=${st.op}(${st.args.map((a) => `%${a}`)})`)
          .join(' ');
        return {
          inputs: operandShapes.map((os) => uniform(rng, os)),
          kind: 'elementwise',
          detail: `${operandShapes.map(s).join(' ')} -> ${s(shape)}: ${listing}`,
          compute: (b, xs, _dtype, temp) => runProgram(b, program, xs, shape, temp),
        };
      },
    },
  ];
}

function castCases(): ConformanceCase[] {
  return [
    {
      name: 'cast to own dtype and to float32',
      op: 'cast',
      setup: (rng) => {
        const shape = randomShape(rng, intIn(rng, 1, 3));
        return {
          inputs: [uniform(rng, shape, -3, 3)],
          kind: 'exact',
          detail: s(shape),
          compute: (b, [x], dtype) => [b.cast(x, dtype), b.cast(x, 'float32')],
        };
      },
    },
  ];
}

function matmulCases(): ConformanceCase[] {
  const variant = (
    name: string,
    transposeA: boolean,
    transposeB: boolean,
    batched: boolean,
  ): ConformanceCase => ({
    name: `matmul ${name}`,
    op: 'matmul',
    setup: (rng) => {
      const [m, k, n] = [intIn(rng, 1, 6), intIn(rng, 1, 8), intIn(rng, 1, 6)];
      // Batched: A's batch [p, 1], B's batch [q] or [p, q]: broadcasting on both sides.
      const p = intIn(rng, 1, 3),
        q = intIn(rng, 2, 3);
      const [ba, bb] = batched ? [[p, 1], rng.uniform32() < 0.5 ? [q] : [p, q]] : [[], []];
      const sa = [...ba, ...(transposeA ? [k, m] : [m, k])];
      const sb = [...bb, ...(transposeB ? [n, k] : [k, n])];
      return {
        inputs: [uniform(rng, sa), uniform(rng, sb)],
        kind: 'accumulate',
        terms: k,
        detail: `${s(sa)}${transposeA ? 'ᵀ' : ''} x ${s(sb)}${transposeB ? 'ᵀ' : ''}`,
        compute: (be, [a, b]) => be.matmul(a, b, { transposeA, transposeB }),
      };
    },
  });
  return [
    variant('2-D', false, false, false),
    variant('transposeA', true, false, false),
    variant('transposeB', false, true, false),
    variant('batched, broadcast batch', false, false, true),
    variant('batched, both transposed', true, true, true),
  ];
}

function structureCases(): ConformanceCase[] {
  return [
    {
      name: 'reshape',
      op: 'reshape',
      setup: (rng) => {
        const shape = randomShape(rng, 3);
        const to = [shape[0] * shape[1], shape[2]];
        return {
          inputs: [uniform(rng, shape)],
          kind: 'exact',
          detail: `${s(shape)} -> ${s(to)}, [-1], [${shape[0]},-1], scalar`,
          compute: (b, [x], _dtype, temp) => [
            b.reshape(x, to),
            b.reshape(x, [-1]),
            b.reshape(x, [shape[0], -1]),
            b.reshape(temp(b.slice(x, [0, 0, 0], [1, 1, 1])), []),
          ],
        };
      },
    },
    {
      name: 'transpose (default and random perm)',
      op: 'transpose',
      setup: (rng) => {
        const shape = randomShape(rng, intIn(rng, 2, 4));
        const perm = permutation(rng, shape.length);
        return {
          inputs: [uniform(rng, shape)],
          kind: 'exact',
          detail: `${s(shape)} perm ${s(perm)}`,
          compute: (b, [x]) => [b.transpose(x), b.transpose(x, perm)],
        };
      },
    },
    {
      name: 'slice (with size -1)',
      op: 'slice',
      setup: (rng) => {
        const shape = randomShape(rng, intIn(rng, 1, 4), 5);
        const begin = shape.map((d) => rng.int(d));
        const size = shape.map((d, i) =>
          rng.uniform32() < 0.3 ? -1 : intIn(rng, 0, d - begin[i]),
        );
        return {
          inputs: [uniform(rng, shape)],
          kind: 'exact',
          detail: `${s(shape)} begin ${s(begin)} size ${s(size)}`,
          compute: (b, [x]) => b.slice(x, begin, size),
        };
      },
    },
    {
      name: 'concat (three tensors, negative axis)',
      op: 'concat',
      setup: (rng) => {
        const base = randomShape(rng, intIn(rng, 1, 3));
        const axis = rng.int(base.length);
        const shapes = [0, 1, 2].map(() => base.map((d, i) => (i === axis ? intIn(rng, 1, 3) : d)));
        const written = rng.uniform32() < 0.5 ? axis : axis - base.length;
        return {
          inputs: shapes.map((sh) => uniform(rng, sh)),
          kind: 'exact',
          detail: `${shapes.map(s).join(' ++ ')} axis ${written}`,
          compute: (b, xs) => b.concat(xs, written),
        };
      },
    },
    {
      name: 'gather (repeated indices)',
      op: 'gather',
      setup: (rng) => {
        const shape = randomShape(rng, intIn(rng, 1, 3), 5);
        const axis = rng.int(shape.length);
        const indices = Array.from({ length: intIn(rng, 1, 6) }, () => rng.int(shape[axis]));
        return {
          inputs: [uniform(rng, shape)],
          kind: 'exact',
          detail: `${s(shape)} axis ${axis} indices ${s(indices)}`,
          compute: (b, [x]) => b.gather(x, indices, axis),
        };
      },
    },
    {
      name: 'scatterAdd (repeated indices)',
      op: 'scatterAdd',
      setup: (rng) => {
        const shape = randomShape(rng, intIn(rng, 1, 3), 5);
        const axis = rng.int(shape.length);
        const axisSize = intIn(rng, 1, 4);
        const indices = Array.from({ length: shape[axis] }, () => rng.int(axisSize));
        return {
          inputs: [uniform(rng, shape)],
          kind: 'accumulate',
          terms: shape[axis],
          detail: `${s(shape)} axis ${axis} indices ${s(indices)} into ${axisSize}`,
          compute: (b, [x]) => b.scatterAdd(x, indices, axis, axisSize),
        };
      },
    },
    {
      name: 'broadcastTo',
      op: 'broadcastTo',
      setup: (rng) => {
        const [to, from] = (() => {
          const out = randomShape(rng, intIn(rng, 1, 4));
          const rank = intIn(rng, 0, out.length);
          return [out, out.slice(out.length - rank).map((d) => (rng.uniform32() < 0.5 ? 1 : d))];
        })();
        return {
          inputs: [uniform(rng, from)],
          kind: 'exact',
          detail: `${s(from)} -> ${s(to)}`,
          compute: (b, [x]) => b.broadcastTo(x, to),
        };
      },
    },
  ];
}

function reduceCases(): ConformanceCase[] {
  const ops: ReduceOp[] = ['sum', 'mean', 'max'];
  return ops.flatMap((op) =>
    [false, true].map<ConformanceCase>((keepDims) => ({
      name: `reduce ${op}${keepDims ? ' keepDims' : ''}`,
      op: 'reduce',
      setup: (rng) => {
        const shape = randomShape(rng, intIn(rng, 1, 4), 6);
        const axes = randomAxes(rng, shape.length);
        // The all-axes output sums every element: use that k for both outputs.
        const terms = shape.reduce((p, d) => p * d, 1);
        return {
          inputs: [uniform(rng, shape)],
          kind: op === 'max' ? 'exact' : 'accumulate',
          terms,
          detail: `${s(shape)} axes ${s(axes)}; all axes`,
          compute: (b, [x]) => [
            b.reduce(op, x, axes, keepDims),
            b.reduce(op, x, undefined, keepDims),
          ],
        };
      },
    })),
  );
}

/** Every kernel case, in interface order. */
export const KERNEL_CASES: readonly ConformanceCase[] = [
  ...creationCases(),
  ...unaryCases(),
  ...binaryCases(),
  ...compareCases(),
  ...castCases(),
  ...fusedCases(),
  ...matmulCases(),
  ...structureCases(),
  ...reduceCases(),
];
