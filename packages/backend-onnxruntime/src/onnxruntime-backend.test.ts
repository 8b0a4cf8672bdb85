import { TensorError, referenceBackend } from '@sublora/tensor';
import { availableParallelism } from 'node:os';
import type { Graph, Node } from '@sublora/autodiff';
import {
  backendDescriptor,
  createOnnxruntimeBackend,
  defaultGraphOptimizationLevel,
  defaultIntraOpNumThreads,
  loadOnnxruntime,
  MEM_PATTERN_MAX_ELEMENTS,
  OPTIMIZER_MAX_NODES,
  PARALLEL_MIN_ELEMENTS,
  type OnnxruntimeBackend,
} from './index';

const quiet = { executionProviders: ['cpu'] as const };

describe('graph optimization level', () => {
  /** A float64 chain onnxruntime's optimizer could rewrite (transposed matmul, add, tanh). */
  const run = async (be: OnnxruntimeBackend) => {
    const x = be.fromArray([0.3, -1.2, 2.5, 0.7, 1.1, -0.4], [3, 2], 'float64');
    const w = be.fromArray([0.5, -1, 2, 0.25], [2, 2], 'float64');
    const y = be.unary('tanh', be.binary('add', be.matmul(x, w, { transposeB: true }), x));
    return be.read(be.reduce('sum', be.binary('mul', y, y), [1]));
  };

  test('float64 compiles with optimizations disabled, small float32 graphs with all; an explicit level wins', async () => {
    expect(defaultGraphOptimizationLevel('float64')).toBe('disabled');
    expect(defaultGraphOptimizationLevel('float32')).toBe('all');
    expect(defaultGraphOptimizationLevel('float32', OPTIMIZER_MAX_NODES - 1)).toBe('all');
    expect(defaultGraphOptimizationLevel('float32', OPTIMIZER_MAX_NODES)).toBe('disabled');
    expect(defaultGraphOptimizationLevel('float64', 1)).toBe('disabled');
    const f64 = await createOnnxruntimeBackend(quiet);
    const f32 = await createOnnxruntimeBackend({ ...quiet, dtype: 'float32' });
    const all = await createOnnxruntimeBackend({
      ...quiet,
      sessionOptions: { graphOptimizationLevel: 'all' },
    });
    expect(f64.describe().graphOptimizationLevel).toBe('disabled');
    expect(f32.describe().graphOptimizationLevel).toBe('all');
    expect(all.describe().graphOptimizationLevel).toBe('all');
    const unset = await createOnnxruntimeBackend({
      ...quiet,
      sessionOptions: { graphOptimizationLevel: undefined, intraOpNumThreads: 1 },
    });
    expect(unset.describe().graphOptimizationLevel).toBe('disabled');
    expect([f64, f32, all].map((be) => be.describe().optimizerMaxNodes)).toEqual([
      null,
      OPTIMIZER_MAX_NODES,
      null,
    ]);
    // the level changes compile time, not float64 results
    expect(Array.from(await run(f64))).toEqual(Array.from(await run(all)));
  });

  /** The levels of the sessions `executeGraph` compiles for chains of `length` tanh nodes. */
  const levelsOfChains = async (be: OnnxruntimeBackend, lengths: readonly number[]) => {
    const create = jest.spyOn(loadOnnxruntime().InferenceSession, 'create');
    try {
      for (const length of lengths) {
        // the input, then `length` tanh nodes
        const nodes: Node[] = [
          { id: 0, op: 'input', inputs: [], params: { index: 0, name: 'x' }, ...aval },
        ];
        for (let id = 1; id <= length; id++)
          nodes.push({ id, op: 'tanh', inputs: [id - 1], params: {}, ...aval });
        const graph: Graph = { inputs: [{ name: 'x', ...aval }], nodes, outputs: [length] };
        const [y] = await be.executeGraph(graph, [be.fromArray([0.5, -0.25], [2], 'float32')]);
        let expected = [0.5, -0.25];
        for (let i = 0; i < length; i++) expected = expected.map(Math.tanh);
        const got = await be.read(y);
        expected.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 4));
      }
      return create.mock.calls.map(
        (call) => (call[1] as { graphOptimizationLevel?: string }).graphOptimizationLevel,
      );
    } finally {
      create.mockRestore();
    }
  };
  const aval = { shape: [2], dtype: 'float32' } as const;

  /** The level of each session `f` compiles, for each chain length. */
  const levelsOf = async (f: (length: number) => Promise<void>, lengths: readonly number[]) => {
    const create = jest.spyOn(loadOnnxruntime().InferenceSession, 'create');
    try {
      for (const length of lengths) await f(length);
      return create.mock.calls.map(
        (call) => (call[1] as { graphOptimizationLevel?: string }).graphOptimizationLevel,
      );
    } finally {
      create.mockRestore();
    }
  };

  /** A recorded chain: the leaf, then `length` tanh ops, read (the lazy path). */
  const readChain = (be: OnnxruntimeBackend) => async (length: number) => {
    let y = be.fromArray([0.5, -0.25], [2], 'float32');
    for (let i = 0; i < length; i++) y = be.unary('tanh', y);
    expect((await be.read(y))[0]).toBeCloseTo(chainOf(length, 0.5), 4);
  };

  /** The same chain exported with its leaf as the input and run as a model from elsewhere. */
  const runExportedChain = (be: OnnxruntimeBackend) => async (length: number) => {
    const x = be.fromArray([0.5, -0.25], [2], 'float32');
    let y = x;
    for (let i = 0; i < length; i++) y = be.unary('tanh', y);
    const model = be.exportOnnx([y], { inputs: [x], inputNames: ['x'], outputNames: ['y'] });
    // the tanh nodes and an Identity that names the output
    expect(model.graph?.node?.length).toBe(length + 1);
    const { y: out } = await be.runOnnx(model, { x });
    expect((await be.read(out))[0]).toBeCloseTo(chainOf(length, 0.5), 4);
  };

  const chainOf = (length: number, x: number): number => {
    for (let i = 0; i < length; i++) x = Math.tanh(x);
    return x;
  };

  test('big float32 graphs compile with the optimizer disabled; an explicit level applies to all', async () => {
    const sizes = [OPTIMIZER_MAX_NODES - 2, OPTIMIZER_MAX_NODES - 1];
    const f32 = await createOnnxruntimeBackend({ ...quiet, dtype: 'float32' });
    expect(await levelsOfChains(f32, sizes)).toEqual(['all', 'disabled']);
    // the lazy path counts the leaf and the ops, as executeGraph counts the input node
    expect(await levelsOf(readChain(f32), sizes)).toEqual(['all', 'disabled']);
    // a model from elsewhere: its own node count
    expect(await levelsOf(runExportedChain(f32), sizes)).toEqual(['all', 'disabled']);
    const basic = await createOnnxruntimeBackend({
      ...quiet,
      dtype: 'float32',
      sessionOptions: { graphOptimizationLevel: 'basic' },
    });
    expect(await levelsOfChains(basic, sizes)).toEqual(['basic', 'basic']);
    expect(await levelsOf(runExportedChain(basic), [3])).toEqual(['basic']);
  });
});

describe('memory pattern', () => {
  /** `enableMemPattern` of the sessions two reads compile: a [4, 256] graph, then one at MEM_PATTERN_MAX_ELEMENTS. */
  const patternOfSessions = async (be: OnnxruntimeBackend) => {
    const create = jest.spyOn(loadOnnxruntime().InferenceSession, 'create');
    try {
      for (const rows of [4, MEM_PATTERN_MAX_ELEMENTS / 256]) {
        const x = be.fromArray(new Float64Array(rows * 256).fill(0.5), [rows, 256], 'float64');
        const [sum] = await be.read(be.reduce('sum', be.unary('tanh', x)));
        // a sum of 2^20 equal terms: rounding grows with the count
        expect(Math.abs(sum / (rows * 256 * Math.tanh(0.5)) - 1)).toBeLessThan(1e-9);
      }
      return create.mock.calls.map(
        (call) => (call[1] as { enableMemPattern?: boolean }).enableMemPattern,
      );
    } finally {
      create.mockRestore();
    }
  };

  test("big graphs run without onnxruntime's memory pattern, small ones keep its default", async () => {
    const be = await createOnnxruntimeBackend(quiet);
    expect(be.describe().memPatternMaxElements).toBe(MEM_PATTERN_MAX_ELEMENTS);
    expect(await patternOfSessions(be)).toEqual([undefined, false]);
  });

  test('an explicit enableMemPattern applies to every session', async () => {
    for (const enableMemPattern of [true, false]) {
      const be = await createOnnxruntimeBackend({ ...quiet, sessionOptions: { enableMemPattern } });
      expect(be.describe().memPatternMaxElements).toBeNull();
      expect(await patternOfSessions(be)).toEqual([enableMemPattern, enableMemPattern]);
    }
  });
});

describe('intra-op threads', () => {
  /** The intra-op threads of the sessions two reads compile: a [4, 256] graph, then a [512, 256] one. */
  const threadsOfSessions = async (be: OnnxruntimeBackend) => {
    const create = jest.spyOn(loadOnnxruntime().InferenceSession, 'create');
    try {
      for (const rows of [4, 512]) {
        // [rows, 256]: 1024 elements, then 131072 (PARALLEL_MIN_ELEMENTS)
        const x = be.fromArray(new Float64Array(rows * 256).fill(0.5), [rows, 256], 'float64');
        await be.read(be.reduce('sum', be.unary('tanh', x)));
      }
      return create.mock.calls.map(
        (call) => (call[1] as { intraOpNumThreads?: number }).intraOpNumThreads,
      );
    } finally {
      create.mockRestore();
    }
  };

  test('default to every available CPU for big graphs; an explicit count wins, an explicit undefined gets the default', async () => {
    expect(defaultIntraOpNumThreads()).toBe(Math.max(1, availableParallelism()));
    const unset = await createOnnxruntimeBackend(quiet);
    expect(unset.describe()).toMatchObject({
      intraOpNumThreads: defaultIntraOpNumThreads(),
      parallelMinElements: PARALLEL_MIN_ELEMENTS,
    });
    const undef = await createOnnxruntimeBackend({
      ...quiet,
      sessionOptions: { intraOpNumThreads: undefined },
    });
    expect(undef.describe().intraOpNumThreads).toBe(defaultIntraOpNumThreads());
    const one = await createOnnxruntimeBackend({
      ...quiet,
      sessionOptions: { intraOpNumThreads: 1 },
    });
    expect(one.describe().intraOpNumThreads).toBe(1);
  });

  test('unset, small graphs compile for one thread and big ones for every CPU; a named count for all', async () => {
    expect(await threadsOfSessions(await createOnnxruntimeBackend(quiet))).toEqual([
      1,
      defaultIntraOpNumThreads(),
    ]);
    const three = await createOnnxruntimeBackend({
      ...quiet,
      sessionOptions: { intraOpNumThreads: 3 },
    });
    expect(await threadsOfSessions(three)).toEqual([3, 3]);
    expect(three.describe()).toMatchObject({ intraOpNumThreads: 3, parallelMinElements: 0 });
  });

  test("`threads` (and the descriptor's) sets what big graphs get; small ones keep one", async () => {
    const three = await createOnnxruntimeBackend({ ...quiet, threads: 3 });
    expect(three.describe()).toMatchObject({
      intraOpNumThreads: 3,
      parallelMinElements: PARALLEL_MIN_ELEMENTS,
    });
    expect(await threadsOfSessions(three)).toEqual([1, 3]);
    const viaDescriptor = (await backendDescriptor.create(undefined, {
      threads: 3,
    })) as OnnxruntimeBackend;
    expect(viaDescriptor.describe()).toMatchObject({
      intraOpNumThreads: 3,
      parallelMinElements: PARALLEL_MIN_ELEMENTS,
    });
    const unset = (await backendDescriptor.create()) as OnnxruntimeBackend;
    expect(unset.describe().intraOpNumThreads).toBe(defaultIntraOpNumThreads());
    for (const bad of [0, -1, 2.5]) {
      await expect(createOnnxruntimeBackend({ ...quiet, threads: bad })).rejects.toThrow(
        /^threads: .* must be a whole number >= 1$/,
      );
    }
  });

  test('a count that is not a whole number >= 0 is refused before the engine loads', async () => {
    for (const bad of [-1, 1.5, Number.NaN]) {
      await expect(
        createOnnxruntimeBackend({ ...quiet, sessionOptions: { intraOpNumThreads: bad } }),
      ).rejects.toThrow(/^sessionOptions\.intraOpNumThreads: .* must be a whole number >= 1/);
    }
  });

  test('one thread and two give the same float64 products and sums', async () => {
    const run = async (threads: number) => {
      const be = await createOnnxruntimeBackend({
        ...quiet,
        sessionOptions: { intraOpNumThreads: threads },
      });
      const n = 96;
      const a = be.fromArray(
        Array.from({ length: n * n }, (_, i) => Math.sin(i)),
        [n, n],
        'float64',
      );
      return Array.from(await be.read(be.reduce('sum', be.unary('tanh', be.matmul(a, a)), [1])));
    };
    expect(await run(2)).toEqual(await run(1));
  });
});

describe('session cache', () => {
  let be: OnnxruntimeBackend;
  beforeEach(async () => {
    be = await createOnnxruntimeBackend(quiet);
  });

  const layer = (data: number[], shape: [number, number]) => {
    const x = be.fromArray(data, shape, 'float64');
    const w = be.fromArray([0.5, -1, 2, 0.25], [2, 2], 'float64');
    return be.reduce('sum', be.unary('tanh', be.matmul(x, w)));
  };

  test('the same structure on new data compiles once', async () => {
    const a = await be.read(layer([1, 2, 3, 4], [2, 2]));
    const b = await be.read(layer([5, 6, 7, 8], [2, 2]));
    expect(be.describe().sessions).toMatchObject({ compiles: 1, hits: 1, size: 1 });
    expect(a[0]).not.toBe(b[0]);
    // Values come from the data, not from the cache.
    const ref = (d: number[]) => {
      const x = referenceBackend.fromArray(d, [2, 2], 'float64');
      const w = referenceBackend.fromArray([0.5, -1, 2, 0.25], [2, 2], 'float64');
      return referenceBackend.readSync?.(
        referenceBackend.reduce(
          'sum',
          referenceBackend.unary('tanh', referenceBackend.matmul(x, w)),
        ),
      )[0] as number;
    };
    expect(a[0]).toBeCloseTo(ref([1, 2, 3, 4]), 12);
    expect(b[0]).toBeCloseTo(ref([5, 6, 7, 8]), 12);
  });

  test('a new input shape or a different op compiles again', async () => {
    await be.read(layer([1, 2, 3, 4], [2, 2]));
    await be.read(layer([1, 2, 3, 4, 5, 6], [3, 2]));
    const x = be.fromArray([1, 2], [1, 2], 'float64');
    await be.read(be.reduce('sum', be.unary('sin', x)));
    await be.read(be.reduce('sum', be.unary('cos', x)));
    expect(be.describe().sessions.compiles).toBe(4);
  });

  test('a read result is cached: reading again or building on it does not recompute its graph', async () => {
    const y = layer([1, 2, 3, 4], [2, 2]);
    const first = await be.read(y);
    const again = await be.read(y);
    expect(be.describe().sessions.compiles).toBe(1);
    expect(again).toEqual(first);
    // y is now a known value: a graph on top of it has y as an input.
    const z = be.binary('mul', y, y);
    expect((await be.read(z))[0]).toBeCloseTo(first[0] * first[0], 12);
  });

  test('readMany runs several outputs through one session', async () => {
    const x = be.fromArray([0.1, 0.2, 0.3], [3], 'float64');
    const e = be.unary('exp', x);
    const [s, m] = await be.readMany([be.reduce('sum', e), be.reduce('max', e)]);
    expect(be.describe().sessions.compiles).toBe(1);
    expect(s[0]).toBeCloseTo(Math.exp(0.1) + Math.exp(0.2) + Math.exp(0.3), 14);
    expect(m[0]).toBeCloseTo(Math.exp(0.3), 14);
  });

  test('the least recently used session is dropped beyond capacity', async () => {
    const small = await createOnnxruntimeBackend({ ...quiet, maxCachedSessions: 2 });
    const x = small.fromArray([0.5], [1], 'float64');
    for (const op of ['sin', 'cos', 'exp'] as const) await small.read(small.unary(op, x));
    expect(small.describe().sessions).toMatchObject({ compiles: 3, size: 2, evictions: 1 });
    await small.read(small.unary('sin', x));
    expect(small.describe().sessions.compiles).toBe(4);
  });
});

describe('execution providers', () => {
  test('the default [cuda, cpu] falls back to cpu with exactly one message when CUDA is absent', async () => {
    const messages: string[] = [];
    const be = await createOnnxruntimeBackend({ logger: (m) => messages.push(m) });
    const d = be.describe();
    expect(d.requestedExecutionProviders).toEqual(['cuda', 'cpu']);
    // This machine has no CUDA provider library; on a CUDA server this test documents the other branch.
    if (d.executionProviders.includes('cuda')) {
      expect(messages).toEqual([]);
      expect(d.notice).toBeUndefined();
    } else {
      expect(d.executionProviders).toEqual(['cpu']);
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatch(/cuda .*unavailable, using \[cpu\]/);
      expect(d.notice).toBe(messages[0]);
      expect(d.unavailableExecutionProviders[0].provider).toBe('cuda');
    }
    expect(Array.from(await be.read(be.unary('neg', be.fromArray([2], [1], 'float64'))))).toEqual([
      -2,
    ]);
  });

  test('without a logger the fallback is printed nowhere and kept in describe()', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const d = (await createOnnxruntimeBackend()).describe();
      expect([warn, log, error].map((s) => s.mock.calls.length)).toEqual([0, 0, 0]);
      if (!d.executionProviders.includes('cuda')) expect(d.notice).toMatch(/cuda .*unavailable/);
    } finally {
      [warn, log, error].forEach((s) => s.mockRestore());
    }
  });

  test('cpu alone logs nothing', async () => {
    const messages: string[] = [];
    await createOnnxruntimeBackend({
      executionProviders: ['cpu'],
      logger: (m) => messages.push(m),
    });
    expect(messages).toEqual([]);
  });

  test('bad options are one-line errors', async () => {
    await expect(
      createOnnxruntimeBackend({ executionProviders: ['gpu' as 'cuda'] }),
    ).rejects.toThrow(/unknown provider 'gpu'/);
    await expect(createOnnxruntimeBackend({ executionProviders: [] })).rejects.toThrow(
      /non-empty list/,
    );
    await expect(
      createOnnxruntimeBackend({ ...quiet, dtype: 'int8' as 'float32' }),
    ).rejects.toThrow(/dtype/);
    await expect(createOnnxruntimeBackend({ ...quiet, maxCachedSessions: 0 })).rejects.toThrow(
      /maxCachedSessions/,
    );
  });
});

describe('float32 compute', () => {
  test('float64 tensors are computed in float32 and returned as float64', async () => {
    const be = await createOnnxruntimeBackend({ ...quiet, dtype: 'float32' });
    expect(be.dtypes).toEqual(['float32']);
    const data = [0.1, 0.7, 1.3, -0.4];
    const y = be.unary(
      'tanh',
      be.binary('mul', be.fromArray(data, [4], 'float64'), be.fill([], 3, 'float64')),
    );
    const got = await be.read(y);
    expect(got).toBeInstanceOf(Float64Array);
    got.forEach((g, i) => {
      const exact = Math.tanh(3 * data[i]);
      expect(Math.abs(g - exact)).toBeLessThan(1e-6);
      expect(g).toBe(Math.fround(g)); // carries float32 rounding
    });
  });
});

describe('handles and errors', () => {
  let be: OnnxruntimeBackend;
  beforeAll(async () => {
    be = await createOnnxruntimeBackend(quiet);
  });

  test('shape and dtype mismatches fail when recorded, as TensorError', () => {
    const a = be.zeros([2, 3], 'float64');
    expect(() => be.binary('add', a, be.zeros([4], 'float64'))).toThrow(TensorError);
    expect(() => be.binary('add', a, be.zeros([3], 'float32'))).toThrow(
      /^add: dtypes differ: \[2,3\] float64 and \[3\] float32; cast one with cast\(\)$/,
    );
    expect(() => be.matmul(a, a)).toThrow(/inner dimensions differ/);
    expect(() => be.matmul(be.zeros([3], 'float64'), a)).toThrow(/rank >= 2/);
    expect(() => be.reshape(a, [4, -1])).toThrow(
      /^reshape: cannot infer -1 in \[4,-1\] for \[2,3\] float64 \(6 elements\)$/,
    );
    expect(() => be.slice(a, [1, 1], [2, 1])).toThrow(/slice/);
    expect(() => be.gather(a, [3], 0)).toThrow(/outside \[0, 2\)/);
    expect(() => be.scatterAdd(a, [0, 1], 1, 4)).toThrow(
      /^scatterAdd: updates \[2,3\] float64 has 3 slices on axis 1 but 2 indices were given$/,
    );
    expect(() => be.broadcastTo(a, [3, 3])).toThrow(/cannot broadcast/);
    expect(() => be.fromArray([1, 2], [3], 'float64')).toThrow(/needs 3/);
    expect(() => be.transpose(a, [0, 0])).toThrow(/permutation/);
    expect(() => be.reduce('sum', a, [2])).toThrow(/out of range/);
  });

  test('disposed and foreign handles are rejected with a clear message', async () => {
    const a = be.fromArray([1], [1], 'float64');
    be.dispose(a);
    be.dispose(a);
    expect(() => be.unary('neg', a)).toThrow(/disposed/);
    await expect(be.read(a)).rejects.toThrow(/disposed/);
    const foreign = referenceBackend.zeros([1], 'float64');
    expect(() => be.unary('neg', foreign)).toThrow(/belongs to backend 'reference'/);
  });

  test('disposing an input does not break a recorded graph that uses it', async () => {
    const a = be.fromArray([3], [1], 'float64');
    const b = be.unary('square', a);
    be.dispose(a);
    expect(Array.from(await be.read(b))).toEqual([9]);
  });

  test('read returns a copy the caller may modify', async () => {
    const a = be.fromArray([1, 2], [2], 'float64');
    const first = await be.read(a);
    first[0] = 100;
    expect(Array.from(await be.read(a))).toEqual([1, 2]);
  });

  test('a deep chain (10k nodes) is planned without recursion', async () => {
    let x = be.fromArray([0], [1], 'float64');
    const one = be.fill([1], 1, 'float64');
    for (let i = 0; i < 10_000; i++) x = be.binary('add', x, one);
    expect(Array.from(await be.read(x))).toEqual([10_000]);
  }, 60_000); // about 3 s alone; the guard is against a hang, not a timing
});
