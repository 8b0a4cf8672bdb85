/**
 * The fused elementwise kernel: an {@link ElementwiseProgram} compiled to one
 * JavaScript loop (with `new Function`, cached by its source), so a chain of
 * ops reads its operands once and keeps intermediates in registers instead
 * of writing and re-reading a full array per op. A tiled interpreter (one
 * loop per step over cache-sized tiles) was measured no faster than separate
 * kernels: the gain needs one loop body per program.
 *
 * Each expression is the one the separate kernels evaluate (`unary.ts`,
 * `binary.ts`), and float32 programs round every step with `Math.fround`, so
 * results are bit-identical to running the steps one by one.
 */
import type { BinaryOp, ElementwiseProgram, HostArray, UnaryOp } from '../../backend';

const UNARY: Record<UnaryOp, (x: string) => string> = {
  neg: (x) => `-${x}`,
  exp: (x) => `Math.exp(${x})`,
  log: (x) => `Math.log(${x})`,
  tanh: (x) => `Math.tanh(${x})`,
  sin: (x) => `Math.sin(${x})`,
  cos: (x) => `Math.cos(${x})`,
  sqrt: (x) => `Math.sqrt(${x})`,
  square: (x) => `${x} * ${x}`,
  abs: (x) => `Math.abs(${x})`,
  sign: (x) => `Math.sign(${x})`,
  reciprocal: (x) => `1 / ${x}`,
};

const BINARY: Record<BinaryOp, (a: string, b: string) => string> = {
  add: (a, b) => `${a} + ${b}`,
  sub: (a, b) => `${a} - ${b}`,
  mul: (a, b) => `${a} * ${b}`,
  div: (a, b) => `${a} / ${b}`,
  pow: (a, b) => `Math.pow(${a}, ${b})`,
  maximum: (a, b) => `Math.max(${a}, ${b})`,
  minimum: (a, b) => `Math.min(${a}, ${b})`,
};

/**
 * How an operand maps onto the flat output: `'full'` (same size), `'scalar'`
 * (one element), or the length of the trailing block it repeats over the
 * leading axes.
 */
export type OperandLayout = 'full' | 'scalar' | number;

type Kernel = (out: HostArray, ...operands: HostArray[]) => void;

const compiled = new Map<string, Kernel>();
/** Distinct programs kept compiled; the cache is cleared past this (a graph has a few hundred). */
const MAX_COMPILED = 4096;

/** The loop source of a program (see module doc). */
function source(
  program: ElementwiseProgram,
  layouts: readonly OperandLayout[],
  n: number,
  float32: boolean,
): string {
  const k = layouts.length;
  const blocks = layouts.filter((l): l is number => typeof l === 'number');
  const inner = blocks.length === 0 ? n : Math.min(...blocks);
  const round = (e: string) => (float32 ? `Math.fround(${e})` : `(${e})`);
  const hoisted = layouts.map((l, i) => (l === 'scalar' ? `const r${i} = x${i}[0];` : '')).join('');
  const offsets = layouts
    .map((l, i) => (typeof l === 'number' ? `const o${i} = base % ${l};` : ''))
    .join('');
  const loads = layouts
    .map((l, i) =>
      l === 'full'
        ? `const r${i} = x${i}[base + j];`
        : typeof l === 'number'
          ? `const r${i} = x${i}[o${i} + j];`
          : '',
    )
    .join('');
  const steps = program.steps
    .map((s, i) => {
      const args = s.args.map((a) => `r${a}`);
      const e =
        s.args.length === 1
          ? UNARY[s.op as UnaryOp](args[0])
          : BINARY[s.op as BinaryOp](args[0], args[1]);
      return `const r${k + i} = ${round(e)};`;
    })
    .join('');
  const result = `r${k + program.steps.length - 1}`;
  return (
    `${hoisted}for (let base = 0; base < ${n}; base += ${inner}) {${offsets}` +
    `for (let j = 0; j < ${inner}; j++) {${loads}${steps}out[base + j] = ${result};}}`
  );
}

/**
 * `out = program(operands)` over `n` output elements. Inputs are not
 * validated here (the glue in `backend.ts` does that): steps name earlier
 * registers with the op's arity, block layouts divide `n` and each other.
 */
export function elementwiseImpl(
  program: ElementwiseProgram,
  operands: readonly HostArray[],
  layouts: readonly OperandLayout[],
  out: HostArray,
): void {
  const n = out.length;
  if (n === 0) return;
  const src = source(program, layouts, n, out instanceof Float32Array);
  let kernel = compiled.get(src);
  if (!kernel) {
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    kernel = new Function('out', ...operands.map((_, i) => `x${i}`), src) as Kernel;
    compiled.set(src, kernel);
  }
  kernel(out, ...operands);
}
