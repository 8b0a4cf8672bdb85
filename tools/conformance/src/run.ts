/**
 * Running the cases on one backend and comparing with the float64 reference.
 */
import {
  createRandom,
  referenceBackend,
  type Backend,
  type DType,
  type HostArray,
  type Tensor,
} from '@sublora/tensor';
import { KERNEL_CASES, type CaseInstance, type CaseOutput, type ConformanceCase } from './cases';
import { ERROR_CASES, type ErrorCase } from './error-cases';
import { GRAPH_CASES } from './graph-cases';
import { compareArrays, toleranceFor } from './tolerance';

/** Options of {@link runConformance}. */
export interface ConformanceOptions {
  /** The dtype to test in; must be one of `backend.dtypes`. */
  readonly dtype: DType;
  /** Multiplies every non-exact tolerance of `tolerance.ts` (default 1). */
  readonly tolerance?: number;
  /** Seed of the random shapes and values (default 20240601). */
  readonly seed?: number;
  /** The cases to run (default: {@link ALL_CASES}). */
  readonly cases?: readonly ConformanceCase[];
  /**
   * The error cases to run (default: {@link ERROR_CASES} when `cases` is not
   * given, none when it is); a case needing a dtype or an optional kernel
   * the backend lacks is skipped.
   */
  readonly errorCases?: readonly ErrorCase[];
}

/** The outcome of one case. */
export interface CaseResult {
  readonly name: string;
  readonly op: string;
  readonly detail: string;
  readonly pass: boolean;
  /** Worst `|got - want| / (|want| + 1)` over all outputs. */
  readonly error: number;
  /** The tolerance it was held to. */
  readonly tolerance: number;
  /** Why it failed, when it threw or a shape differed. */
  readonly message?: string;
}

/** The outcome of a whole run on one backend and dtype. */
export interface ConformanceReport {
  readonly backend: string;
  readonly dtype: DType;
  readonly seed: number;
  readonly passed: number;
  readonly failed: number;
  readonly results: readonly CaseResult[];
}

/** A stable 32-bit hash of a case name, so each case has its own stream whatever runs before it. */
function hashName(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h | 0;
}

/** Rounds host values to what `dtype` can hold, so both backends see identical inputs. */
function roundTo(data: readonly number[], dtype: DType): number[] {
  return dtype === 'float32' ? data.map(Math.fround) : data.slice();
}

async function outputsOf(out: CaseOutput): Promise<readonly Tensor[]> {
  const resolved = await out;
  return Array.isArray(resolved) ? resolved : [resolved as Tensor];
}

/** Runs one instance on one backend; returns shapes and data of every output, disposing everything. */
async function evaluateOn(
  backend: Backend,
  instance: CaseInstance,
  dtype: DType,
): Promise<{ shape: readonly number[]; data: HostArray }[]> {
  const owned: Tensor[] = [];
  const temp = (t: Tensor) => (owned.push(t), t);
  try {
    const xs = instance.inputs.map((x) =>
      temp(backend.fromArray(roundTo(x.data, dtype), x.shape, dtype)),
    );
    const outs = await outputsOf(instance.compute(backend, xs, dtype, temp));
    owned.push(...outs.filter((o) => !xs.includes(o)));
    const results = [];
    for (const o of outs) results.push({ shape: o.shape, data: await backend.read(o) });
    return results;
  } finally {
    for (const t of owned) backend.dispose(t);
  }
}

/** First line of a thrown value's message. */
function messageOf(e: unknown): string {
  const m = (e as { message?: unknown } | null)?.message;
  return (typeof m === 'string' ? m : String(e)).split('\n')[0];
}

/** Runs one case on `backend` and on the float64 reference, and compares. */
export async function runCase(
  backend: Backend,
  testCase: ConformanceCase,
  options: ConformanceOptions,
): Promise<CaseResult> {
  const seed = options.seed ?? DEFAULT_SEED;
  const instance = testCase.setup(createRandom(seed ^ hashName(testCase.name)));
  const tolerance = toleranceFor(options.dtype, instance.kind, instance.terms, options.tolerance);
  const base = { name: testCase.name, op: testCase.op, detail: instance.detail, tolerance };
  const fail = (message: string, error = Infinity): CaseResult => ({
    ...base,
    pass: false,
    error,
    message,
  });
  let want, got;
  try {
    // The reference computes in float64 from the same (dtype-rounded) inputs.
    const rounded = {
      ...instance,
      inputs: instance.inputs.map((x) => ({ ...x, data: roundTo(x.data, options.dtype) })),
    };
    want = await evaluateOn(referenceBackend, rounded, 'float64');
  } catch (e) {
    return fail(`reference failed: ${messageOf(e)}`);
  }
  try {
    got = await evaluateOn(backend, instance, options.dtype);
  } catch (e) {
    return fail(messageOf(e));
  }
  if (got.length !== want.length)
    return fail(`returned ${got.length} outputs, expected ${want.length}`);
  let error = 0;
  for (let i = 0; i < want.length; i++) {
    const [g, w] = [got[i], want[i]];
    if (g.shape.length !== w.shape.length || g.shape.some((d, j) => d !== w.shape[j])) {
      return fail(`output ${i} has shape [${g.shape.join(',')}], expected [${w.shape.join(',')}]`);
    }
    if (g.data.length !== w.data.length) {
      return fail(`output ${i} has ${g.data.length} values, expected ${w.data.length}`);
    }
    error = Math.max(error, compareArrays(g.data, w.data).error);
  }
  const pass = error <= tolerance;
  return pass
    ? { ...base, pass, error }
    : {
        ...base,
        pass,
        error,
        message: `error ${error.toExponential(2)} > tolerance ${tolerance.toExponential(2)}`,
      };
}

/** What `call` threw (error class and one-line message), or null when it returned. */
function thrownBy(
  backend: Backend,
  c: ErrorCase,
  dtype: DType,
): { name: string; message: string } | null {
  const xs: Tensor[] = [];
  try {
    for (const shape of c.inputs) {
      const size = shape.reduce((n, d) => n * d, 1);
      xs.push(
        backend.fromArray(
          Array.from({ length: size }, (_, i) => i),
          shape,
          dtype,
        ),
      );
    }
    const out = c.call(backend, xs, dtype);
    if (out && typeof out === 'object' && 'backend' in out) backend.dispose(out as Tensor);
    return null;
  } catch (e) {
    return { name: (e as Error)?.name ?? typeof e, message: messageOf(e) };
  } finally {
    for (const x of xs) backend.dispose(x);
  }
}

/**
 * Runs one error case: the backend must throw what the reference backend
 * throws in the same dtype, same error class and same message.
 */
export function runErrorCase(backend: Backend, c: ErrorCase, dtype: DType): CaseResult {
  const base = { name: `error ${c.name}`, op: c.op, detail: 'rejects', error: 0, tolerance: 0 };
  const want = thrownBy(referenceBackend, c, dtype);
  if (!want) return { ...base, pass: false, message: 'the reference backend accepted the input' };
  const got = thrownBy(backend, c, dtype);
  const detail = `${want.name}: ${want.message}`;
  if (!got) return { ...base, detail, pass: false, message: 'accepted the input' };
  if (got.name !== want.name || got.message !== want.message)
    return { ...base, detail, pass: false, message: `threw ${got.name}: ${got.message}` };
  return { ...base, detail, pass: true };
}

/** Every case: the kernels, then the whole graphs. */
export const ALL_CASES: readonly ConformanceCase[] = [...KERNEL_CASES, ...GRAPH_CASES];

/** The seed used when none is given. */
export const DEFAULT_SEED = 20240601;

/**
 * Runs the conformance cases on `backend` in `options.dtype`, comparing each
 * with the float64 reference backend within the dtype's tolerance (see
 * `tolerance.ts`). Never throws for a failing case: failures are in the report.
 *
 * @example
 * ```ts
 * const report = await runConformance(await resolveBackend('tfjs'), { dtype: 'float32' });
 * console.log(report.passed, report.failed);
 * ```
 */
export async function runConformance(
  backend: Backend,
  options: ConformanceOptions,
): Promise<ConformanceReport> {
  if (!backend.dtypes.includes(options.dtype)) {
    throw new Error(
      `runConformance: backend '${backend.name}' computes in ${backend.dtypes.join(', ')}, not ${options.dtype}; pass one of those as dtype`,
    );
  }
  const results: CaseResult[] = [];
  for (const c of options.cases ?? ALL_CASES) results.push(await runCase(backend, c, options));
  for (const c of options.errorCases ?? (options.cases ? [] : ERROR_CASES)) {
    const present = typeof backend[c.op as keyof Backend] === 'function';
    if (present && (c.needs ?? []).every((d) => backend.dtypes.includes(d)))
      results.push(runErrorCase(backend, c, options.dtype));
  }
  const passed = results.filter((r) => r.pass).length;
  return {
    backend: backend.name,
    dtype: options.dtype,
    seed: options.seed ?? DEFAULT_SEED,
    passed,
    failed: results.length - passed,
    results,
  };
}
