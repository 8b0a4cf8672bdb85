/**
 * The Backend interface over tfjs kernels.
 *
 * Every kernel checks its inputs (one-line `TensorError`), switches tfjs to this
 * instance's engine, and runs under `tf.tidy` so that intermediate tfjs tensors
 * are freed; only the returned tensor survives, wrapped in a handle that
 * `dispose` frees.
 */
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/Either';
import {
  OP_TABLE,
  TensorError,
  type Backend,
  type BackendHints,
  type BinaryOp,
  type CompareOp,
  type DType,
  type MatmulOptions,
  type ReduceOp,
  type Shape,
  type Tensor,
  type UnaryOp,
} from '@sublora/tensor';
import {
  ENGINE_ORDER,
  INSTALL_COMMANDS,
  firstLine,
  loadEngine,
  type EngineAttempt,
  type EngineName,
  type EngineReport,
  type LoadedEngine,
} from './engines';
import { TFJS, TfjsTensor, liveValue } from './handle';

/** Options of {@link createTfjsBackend}. */
export interface TfjsBackendOptions {
  /**
   * Force one engine instead of the first that loads (node-gpu > node > wasm >
   * cpu). A forced engine that cannot load is an error with its install command.
   */
  readonly engine?: EngineName;
  /**
   * tfjs computes in float32 only. By default a float64 request (`fromArray`,
   * `fill`, `zeros`, `cast`) throws; with `allowDowncast: true` it is served in
   * float32 and logged once.
   */
  readonly allowDowncast?: boolean;
  /** Where the one-time downcast notice goes (default `console.warn`). */
  readonly log?: (message: string) => void;
}

/** A tfjs-backed {@link Backend} that can say which engine it runs on. */
export interface TfjsBackend extends Backend {
  /** Which engine and device the kernels run on, and why faster ones were skipped. */
  describe(): EngineReport;
}

const UNARY: Readonly<Record<UnaryOp, (x: tf.Tensor) => tf.Tensor>> = {
  neg: tf.neg,
  exp: tf.exp,
  log: tf.log,
  tanh: tf.tanh,
  sin: tf.sin,
  cos: tf.cos,
  sqrt: tf.sqrt,
  square: tf.square,
  abs: tf.abs,
  sign: tf.sign,
  reciprocal: tf.reciprocal,
};

const BINARY: Readonly<Record<BinaryOp, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor>> = {
  add: tf.add,
  sub: tf.sub,
  mul: tf.mul,
  div: tf.div,
  pow: tf.pow,
  maximum: tf.maximum,
  minimum: tf.minimum,
};

const COMPARE: Readonly<Record<CompareOp, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor>> = {
  less: tf.less,
  lessEqual: tf.lessEqual,
  greater: tf.greater,
  greaterEqual: tf.greaterEqual,
  equal: tf.equal,
};

const REDUCE: Readonly<
  Record<ReduceOp, (x: tf.Tensor, axes: number[], keepDims: boolean) => tf.Tensor>
> = {
  sum: (x, axes, keepDims) => tf.sum(x, axes, keepDims),
  mean: (x, axes, keepDims) => tf.mean(x, axes, keepDims),
  max: (x, axes, keepDims) => tf.max(x, axes, keepDims),
};

/** Picks the engine: the forced one, or the first of {@link ENGINE_ORDER} that loads. */
async function chooseEngine(
  forced: EngineName | undefined,
): Promise<{ loaded: LoadedEngine; attempts: EngineAttempt[] }> {
  if (forced !== undefined && !ENGINE_ORDER.includes(forced)) {
    throw new TensorError(
      'engine',
      `'${String(forced)}' is not a tfjs engine; use one of ${ENGINE_ORDER.join(', ')}`,
    );
  }
  const attempts: EngineAttempt[] = [];
  for (const engine of forced ? [forced] : ENGINE_ORDER) {
    const result = await loadEngine(engine)();
    if (E.isLeft(result)) {
      attempts.push({ engine, ok: false, reason: result.left });
      if (forced) {
        throw new TensorError('engine', `'${engine}' is not available (${result.left})`);
      }
      continue;
    }
    attempts.push({ engine, ok: true });
    return { loaded: result.right, attempts };
  }
  // cpu ships inside @tensorflow/tfjs, so this means tfjs itself is broken.
  throw new TensorError(
    'engine',
    `none of ${ENGINE_ORDER.join(', ')} loaded; reinstall tfjs with: ${INSTALL_COMMANDS.cpu}`,
  );
}

/**
 * Kernel by kernel, like the reference backend. `gramReadFlops` is not
 * measured on tfjs: the reference backend's 4, which `hessian` used on every
 * backend before backends declared hints.
 */
export const TFJS_HINTS: BackendHints = Object.freeze({
  compilesWholeGraphs: false,
  gramReadFlops: 4,
});

/**
 * Creates a {@link Backend} that runs on tfjs.
 *
 * The engine is chosen at run time: `@tensorflow/tfjs-node-gpu`, then
 * `@tensorflow/tfjs-node`, then `@tensorflow/tfjs-backend-wasm`, then the
 * pure-JavaScript cpu backend; `describe()` says which one it got and why the
 * others were skipped. Tensors are float32 (see {@link TfjsBackendOptions.allowDowncast}).
 *
 * Several instances may coexist (e.g. one on wasm, one on cpu): tfjs has a
 * single global engine, so each kernel first switches it to its instance's
 * backend (synchronous once that backend is initialized).
 *
 * Side effect: enables tfjs production mode, which silences tfjs's "install
 * tfjs-node" console banner (`describe()` gives that information instead).
 *
 * @example
 * ```ts
 * const be = await createTfjsBackend();
 * const x = be.fromArray([1, 2, 3, 4], [2, 2], 'float32');
 * const y = be.matmul(x, x);
 * console.log(await be.read(y), be.describe().engine);
 * be.dispose(x); be.dispose(y);
 * ```
 */
export async function createTfjsBackend(options: TfjsBackendOptions = {}): Promise<TfjsBackend> {
  tf.enableProdMode();
  const { loaded, attempts } = await chooseEngine(options.engine);
  const owner = {};
  const allowDowncast = options.allowDowncast === true;
  const log = options.log ?? ((m: string) => console.warn(m));
  let downcastLogged = false;

  /** Makes this instance's engine tfjs's current backend. */
  const use = (op: string): void => {
    if (tf.getBackend() === loaded.tfBackend) return;
    // Already initialized, so setBackend does all its work before its first await.
    void tf.setBackend(loaded.tfBackend);
    if (tf.getBackend() !== loaded.tfBackend) {
      throw new TensorError(op, `could not switch tfjs to backend '${loaded.tfBackend}'`);
    }
  };
  const checkDType = (dtype: DType, op: string): void => {
    if (dtype === 'float32') return;
    if (dtype !== 'float64') {
      throw new TensorError(op, `unsupported dtype ${String(dtype)}; use 'float32'`);
    }
    if (!allowDowncast) {
      throw new TensorError(
        op,
        "tfjs computes in float32 only; request 'float32', pass { allowDowncast: true } to createTfjsBackend, or use the reference backend for float64",
      );
    }
    if (!downcastLogged) {
      downcastLogged = true;
      log('tfjs backend: float64 requested, computing in float32 (allowDowncast: true)');
    }
  };
  const val = (t: Tensor, op: string): tf.Tensor => liveValue(t, owner, op);
  /** Runs `f` on this engine under tf.tidy and wraps its result in a handle. */
  const run = (op: string, f: () => tf.Tensor): TfjsTensor => {
    use(op);
    let out: tf.Tensor;
    try {
      out = tf.tidy(f);
    } catch (e) {
      if (e instanceof TensorError) throw e;
      throw new TensorError(op, `tfjs (${loaded.tfBackend}) failed: ${firstLine(e)}`);
    }
    return new TfjsTensor(out, owner);
  };
  const hasSegmentSum = tf.getKernel('UnsortedSegmentSum', loaded.tfBackend) !== undefined;

  const report: EngineReport = {
    engine: loaded.engine,
    tfBackend: loaded.tfBackend,
    device: loaded.device,
    tfjsVersion: tf.version_core,
    attempts,
    float64: allowDowncast ? 'downcast' : 'error',
  };

  const backend: TfjsBackend = {
    name: TFJS,
    dtypes: ['float32'],
    hints: TFJS_HINTS,
    describe: () => report,

    fromArray(data, shape, dtype) {
      OP_TABLE.fromArray.infer([], { data, shape, dtype });
      checkDType(dtype, 'fromArray');
      return run('fromArray', () => tf.tensor(Float32Array.from(data), shape.slice(), 'float32'));
    },
    fill(shape, value, dtype) {
      OP_TABLE.fill.infer([], { shape, value, dtype });
      checkDType(dtype, 'fill');
      return run('fill', () => tf.fill(shape.slice(), value, 'float32'));
    },
    zeros(shape, dtype) {
      OP_TABLE.zeros.infer([], { shape, dtype });
      checkDType(dtype, 'zeros');
      return run('zeros', () => tf.zeros(shape.slice(), 'float32'));
    },

    unary(op, x) {
      const v = val(x, op);
      OP_TABLE.unary.infer([x], { op });
      return run(op, () => UNARY[op](v));
    },
    binary(op, a, b) {
      const [va, vb] = [val(a, op), val(b, op)];
      OP_TABLE.binary.infer([a, b], { op });
      return run(op, () => BINARY[op](va, vb));
    },
    compare(op, a, b) {
      const [va, vb] = [val(a, op), val(b, op)];
      OP_TABLE.compare.infer([a, b], { op });
      return run(op, () => tf.cast(COMPARE[op](va, vb), 'float32'));
    },
    where(cond, a, b) {
      const [vc, va, vb] = [val(cond, 'where'), val(a, 'where'), val(b, 'where')];
      OP_TABLE.where.infer([cond, a, b], {});
      return run('where', () => tf.where(tf.notEqual(vc, 0), va, vb));
    },
    cast(x, dtype) {
      const v = val(x, 'cast');
      OP_TABLE.cast.infer([x], { dtype });
      checkDType(dtype, 'cast');
      return run('cast', () => tf.clone(v));
    },

    matmul(a, b, options: MatmulOptions = {}) {
      const [va, vb] = [val(a, 'matmul'), val(b, 'matmul')];
      const { batch } = OP_TABLE.matmul.infer([a, b], options);
      // Broadcast the batch dimensions explicitly: not every engine's BatchMatMul does.
      const expand = (v: tf.Tensor, s: Shape) =>
        s.length - 2 === batch.length && s.slice(0, -2).every((d, i) => d === batch[i])
          ? v
          : tf.broadcastTo(v, [...batch, ...s.slice(-2)]);
      return run('matmul', () =>
        tf.matMul(expand(va, a.shape), expand(vb, b.shape), options.transposeA, options.transposeB),
      );
    },

    reshape(x, shape) {
      const v = val(x, 'reshape');
      const resolved = OP_TABLE.reshape.infer([x], { shape }).shape;
      return run('reshape', () => tf.reshape(v, resolved));
    },
    transpose(x, perm) {
      const v = val(x, 'transpose');
      const p = OP_TABLE.transpose.infer([x], { perm }).perm;
      return run('transpose', () => tf.transpose(v, p));
    },
    slice(x, begin, size) {
      const v = val(x, 'slice');
      const s = OP_TABLE.slice.infer([x], { begin, size }).shape;
      return run('slice', () => tf.slice(v, begin.slice(), s));
    },
    concat(xs, axis) {
      const vs = xs.map((x) => val(x, 'concat'));
      const ax = OP_TABLE.concat.infer(xs, { axis }).axis;
      return run('concat', () => (vs.length === 1 ? tf.clone(vs[0]) : tf.concat(vs, ax)));
    },
    gather(x, indices, axis) {
      const v = val(x, 'gather');
      const ax = OP_TABLE.gather.infer([x], { indices, axis }).axis;
      return run('gather', () => tf.gather(v, tf.tensor1d(indices.slice(), 'int32'), ax));
    },
    scatterAdd(updates, indices, axis, axisSize) {
      const v = val(updates, 'scatterAdd');
      const ax = OP_TABLE.scatterAdd.infer([updates], { indices, axis, axisSize }).axis;
      const rank = updates.shape.length;
      // Move `axis` to the front, sum slices into segments, move it back.
      const perm = [ax, ...Array.from({ length: rank }, (_, i) => i).filter((i) => i !== ax)];
      const inverse = perm.map((_, i) => perm.indexOf(i));
      const rest = perm.slice(1).map((i) => updates.shape[i]);
      return run('scatterAdd', () => {
        const front = tf.transpose(v, perm);
        let summed: tf.Tensor;
        if (indices.length === 0) {
          summed = tf.zeros([axisSize, ...rest]);
        } else if (hasSegmentSum) {
          summed = tf.unsortedSegmentSum(front, tf.tensor1d(indices.slice(), 'int32'), axisSize);
        } else {
          // wasm has no UnsortedSegmentSum: oneHot^T [axisSize, n] x [n, rest].
          const oneHot = new Float32Array(indices.length * axisSize);
          indices.forEach((i, k) => (oneHot[k * axisSize + i] = 1));
          const flat = tf.reshape(front, [indices.length, rest.reduce((p, d) => p * d, 1)]);
          const hot = tf.tensor2d(oneHot, [indices.length, axisSize]);
          summed = tf.reshape(tf.matMul(hot, flat, true, false), [axisSize, ...rest]);
        }
        return tf.transpose(summed, inverse);
      });
    },
    broadcastTo(x, shape) {
      const v = val(x, 'broadcastTo');
      OP_TABLE.broadcastTo.infer([x], { shape });
      return run('broadcastTo', () => tf.broadcastTo(v, shape.slice()));
    },

    reduce(op, x, axes, keepDims = false) {
      const v = val(x, op);
      const ax = OP_TABLE.reduce.infer([x], { op, axes, keepDims }).axes;
      return run(op, () => (ax.length === 0 ? tf.clone(v) : REDUCE[op](v, ax, keepDims)));
    },

    async read(x) {
      const v = val(x, 'read');
      use('read');
      // Copy: tfjs may hand out its own backing store, shared by reshapes and clones.
      return Float32Array.from(await v.data<'float32'>());
    },
    readSync(x) {
      const v = val(x, 'readSync');
      use('readSync');
      return Float32Array.from(v.dataSync<'float32'>());
    },
    dispose(x) {
      if (!(x instanceof TfjsTensor) || x.owner !== owner) {
        val(x, 'dispose');
        return;
      }
      if (x.value === null) return;
      x.value.dispose();
      x.value = null;
    },
  };
  return backend;
}
