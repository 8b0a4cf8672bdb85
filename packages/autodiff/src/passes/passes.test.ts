/** Graph passes preserve results (fast-check over random programs), and JSON round trips. */
import fc from 'fast-check';
import { randoms, relError, run } from '../fd.test-utils';
import { fromJSON, graphToString, toJSON } from '../ir/json';
import type { Value } from '../ir/builder';
import { call, spec, trace } from '../ir/trace';
import type { Graph } from '../ir/types';
import * as ops from '../ops';
import { hessian } from '../transforms/hessian';
import { laplacian } from '../transforms/input-derivatives';
import { grad } from '../transforms/vjp';
import { cse } from './cse';
import { dce } from './dce';
import { foldDoublings } from './doublings';
import { factorProducts } from './factor';
import { foldConstants } from './fold';
import { simplify } from './simplify';
import { sinkSlices } from './sink-slices';

/** One step of a random program: an op applied to earlier values (by index, modulo the pool). */
const step = fc.record({
  op: fc.constantFrom(
    'add',
    'sub',
    'mul',
    'tanh',
    'sin',
    'square',
    'neg',
    'fill0',
    'fill1',
    'fillC',
    'sumKeep',
    'matmul',
    'dup',
  ),
  a: fc.nat(),
  b: fc.nat(),
  c: fc.double({ min: -2, max: 2, noNaN: true }),
});

function program(steps: readonly { op: string; a: number; b: number; c: number }[]): Graph {
  return trace([spec('x', [3, 3]), spec('y', [3, 3])], (x, y) => {
    const pool: Value[] = [x, y];
    const pick = (i: number) => pool[i % pool.length];
    for (const s of steps) {
      const a = pick(s.a),
        b = pick(s.b);
      const fill = (v: number) => ops.broadcastTo(ops.constant(v), [3, 3]);
      const next: Record<string, () => Value> = {
        add: () => ops.add(a, b),
        sub: () => ops.sub(a, b),
        mul: () => ops.mul(a, b),
        tanh: () => ops.tanh(a),
        sin: () => ops.sin(a),
        square: () => ops.square(a),
        neg: () => ops.neg(ops.neg(a)),
        fill0: () => ops.add(a, ops.mul(b, fill(0))),
        fill1: () => ops.mul(a, ops.exp(fill(0))),
        fillC: () => ops.mul(a, ops.add(fill(s.c), fill(1))),
        sumKeep: () => ops.broadcastTo(ops.sum(a, 1, true), [3, 3]),
        matmul: () => ops.tanh(ops.matmul(a, b, { transposeB: true })),
        // a structural duplicate of an earlier node: CSE must merge it
        dup: () => ops.add(ops.tanh(a), ops.tanh(a)),
      };
      pool.push(next[s.op]());
    }
    return [pool[pool.length - 1], pool[Math.floor(pool.length / 2)]];
  });
}

const inputs = [randoms(1, 9), randoms(2, 9)];

test('dce, cse, foldConstants and simplify preserve results and never grow the graph', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
      const g = program(steps);
      const want = await run(g, inputs);
      for (const pass of [dce, cse, foldConstants, simplify]) {
        const h = pass(g);
        const got = await run(h, inputs);
        got.forEach((o, k) => expect(relError(o, want[k])).toBeLessThan(1e-12));
      }
      const s = simplify(g);
      expect(s.nodes.length).toBeLessThanOrEqual(g.nodes.length);
      // simplify runs no cse of its own: its passes' builders leave nothing to merge or drop
      expect(cse(s)).toEqual(s);
      expect(dce(s)).toBe(s);
    }),
    { numRuns: 30 },
  );
});

test('cse merges structural duplicates and dce drops unused nodes', () => {
  const g = trace([spec('x', [2])], (x) => {
    ops.exp(x); // dead
    return ops.add(ops.tanh(x), ops.tanh(x));
  });
  const h = simplify(g);
  expect(h.nodes.map((n) => n.op)).toEqual(['input', 'tanh', 'add']);
});

test('dce returns the graph itself when every node is live, else a renumbered copy', () => {
  const live = trace([spec('x', [2])], (x) => ops.tanh(x));
  expect(dce(live)).toBe(live);
  const dead = trace([spec('x', [2])], (x) => {
    ops.exp(x);
    return ops.tanh(x);
  });
  const kept = dce(dead);
  expect(kept.nodes.map((n) => [n.id, n.op])).toEqual([
    [0, 'input'],
    [1, 'tanh'],
  ]);
  expect(kept.outputs).toEqual([1]);
});

test('foldConstants keeps a constant of zeros with a -0 in it', async () => {
  const g = trace([spec('x', [2])], (x) => ops.div(x, ops.constant([0, -0], [2])));
  const h = foldConstants(g);
  expect(h.nodes.some((n) => n.op === 'constant')).toBe(true);
  expect(Array.from((await run(h, [[1, 1]]))[0])).toEqual([Infinity, -Infinity]);
});

test('cse merges duplicates in a graph that was not built by hash-consing', async () => {
  const node = (id: number, op: string, inputs: number[]) => ({
    id,
    op,
    inputs,
    params: {},
    shape: [2],
    dtype: 'float64' as const,
  });
  const raw: Graph = {
    inputs: [{ name: 'x', shape: [2], dtype: 'float64' }],
    nodes: [
      { ...node(0, 'input', []), params: { index: 0, name: 'x' } },
      node(1, 'tanh', [0]),
      node(2, 'tanh', [0]),
      node(3, 'add', [1, 2]),
    ],
    outputs: [3],
  };
  const merged = cse(raw);
  expect(merged.nodes.map((n) => n.op)).toEqual(['input', 'tanh', 'add']);
  expect(await run(merged, [[0.3, -1]])).toEqual(await run(raw, [[0.3, -1]]));
});

test('foldConstants folds fills and removes identities', () => {
  const g = trace([spec('x', [2])], (x) =>
    ops.add(ops.mul(x, ops.exp(ops.constant(0))), ops.mul(ops.constant(0), ops.sin(x))),
  );
  expect(simplify(g).nodes.map((n) => n.op)).toEqual(['input']);
});

describe('JSON', () => {
  const loss = trace([spec('s', [2]), spec('x', [4, 2])], (s, x) =>
    ops.sum(ops.tanh(ops.matmul(ops.mul(x, s), ops.constant([1, 2, 3, 4, 5, 6], [2, 3])))),
  );
  const u = trace([spec('s', [2]), spec('x', [4, 2])], (s, x) =>
    ops.sin(ops.matmul(x, ops.reshape(s, [2, 1]))),
  );
  const graphs: [string, Graph][] = [
    ['loss', loss],
    ['hessian', hessian(loss, { wrt: 0 })],
    ['laplacian', laplacian(u, { wrt: 1 })],
  ];

  test.each(graphs)(
    '%s survives JSON.stringify -> fromJSON with identical structure and results',
    async (_name, g) => {
      const back = fromJSON(JSON.stringify(toJSON(g)));
      expect(toJSON(back)).toEqual(toJSON(g));
      const xs = [randoms(5, 2), randoms(6, 8)];
      expect(await run(back, xs)).toEqual(await run(g, xs));
      expect(graphToString(back)).toEqual(graphToString(g));
    },
  );

  test('-0 and the infinities in params survive JSON.stringify (plain JSON writes 0 and null)', async () => {
    const g = trace([spec('x', [2])], (x) => [
      ops.div(x, ops.constant(-0, [2])), // a fill of -0
      ops.div(x, ops.constant([-0, 0], [2])), // a constant holding -0
      ops.add(x, Infinity),
      ops.add(x, -Infinity),
    ]);
    const text = JSON.stringify(toJSON(g));
    expect(text).toContain('{"$float":"-0"}');
    const back = fromJSON(text);
    expect(toJSON(back)).toEqual(toJSON(g));
    const outs = await run(back, [[1, 2]]);
    expect(outs.map((o) => Array.from(o))).toEqual([
      [-Infinity, -Infinity],
      [-Infinity, Infinity],
      [Infinity, Infinity],
      [-Infinity, -Infinity],
    ]);
    // and the listing names them (plain JSON would print null and 0)
    const listing = graphToString(back);
    for (const text of ['fill[value=-Infinity,', 'fill[value=-0,', 'data=[-0,0]'])
      expect(listing).toContain(text);
    // a graph without such numbers writes no tags and reads back equal
    expect(fromJSON(JSON.stringify(toJSON(loss)))).toEqual(loss);
  });

  test('fromJSON rejects a node whose stored shape disagrees with its shape rule', () => {
    const doc = JSON.parse(JSON.stringify(toJSON(loss)));
    doc.nodes[doc.nodes.length - 1].shape = [7];
    expect(() => fromJSON(doc)).toThrow(/claims float64\[7\] but its shape rule gives float64\[\]/);
  });

  test('fromJSON rejects forward references and unknown primitives', () => {
    const doc = JSON.parse(JSON.stringify(toJSON(loss)));
    doc.nodes[3].inputs = [5];
    expect(() => fromJSON(doc)).toThrow(/must be earlier node ids/);
    const doc2 = JSON.parse(JSON.stringify(toJSON(loss)));
    doc2.nodes[3].op = 'frobnicate';
    expect(() => fromJSON(doc2)).toThrow(/^fromJSON: node 3: frobnicate: unknown primitive/);
  });

  test('fromJSON names the node whose operands its primitive rejects', () => {
    const doc = JSON.parse(JSON.stringify(toJSON(loss)));
    const matmul = doc.nodes.findIndex((n: { op: string }) => n.op === 'matmul');
    doc.nodes[matmul].inputs = [...doc.nodes[matmul].inputs].reverse();
    expect(() => fromJSON(doc)).toThrow(new RegExp(`^fromJSON: node ${matmul}: matmul: `));
  });

  test('fromJSON rejects a truncated or non-JSON text in one line', () => {
    const text = JSON.stringify(toJSON(loss));
    for (const bad of [text.slice(0, text.length >> 1), '', 'not json']) {
      expect(() => fromJSON(bad)).toThrow(
        /^fromJSON: the text is not JSON \(.*\); pass what JSON\.stringify\(toJSON\(graph\)\) wrote, whole$/,
      );
    }
  });
});

/** One step of a random product program: an op on earlier full-size values `a`, `b` and small factors `p`, `q`. */
interface ProductStep {
  readonly op: string;
  readonly a: number;
  readonly b: number;
  readonly p: number;
  readonly q: number;
}
type Move = (B: (i: number) => Value, S: (i: number) => Value, s: ProductStep) => Value;

const productStep = (moves: Record<string, Move>) =>
  fc.record({
    op: fc.constantFrom(...Object.keys(moves)),
    a: fc.nat(),
    b: fc.nat(),
    p: fc.nat(),
    q: fc.nat(),
  });

/**
 * A random program over full-size [2,3,3] values `t`, `u` and broadcast
 * [3,3]/[3]/scalar factors: each step appends `moves[op]` to the full-size
 * values (indices modulo the pools); `result` picks the output.
 */
function productProgram(
  steps: readonly ProductStep[],
  moves: Record<string, Move>,
  result: (big: readonly Value[]) => Value,
): Graph {
  return trace(
    [spec('t', [2, 3, 3]), spec('u', [2, 3, 3]), spec('p', [3, 3]), spec('q', [3])],
    (t, u, p, q) => {
      const big: Value[] = [t, u];
      const small: Value[] = [p, q, ops.sin(p), ops.constant(1.5)];
      const B = (i: number) => big[i % big.length];
      const S = (i: number) => small[i % small.length];
      for (const s of steps) big.push(moves[s.op](B, S, s));
      return result(big);
    },
  );
}

describe('factorProducts', () => {
  /** Random sums and products of full-size values and broadcast factors. */
  const factorMoves: Record<string, Move> = {
    scale: (B, S, s) => ops.mul(ops.mul(B(s.a), S(s.p)), S(s.q)),
    neg: (B, S, s) => ops.mul(ops.neg(B(s.a)), S(s.p)),
    add: (B, _, s) => ops.add(B(s.a), ops.neg(B(s.b))),
    sub: (B, _, s) => ops.sub(ops.neg(B(s.a)), ops.neg(B(s.b))),
    addScaled: (B, S, s) => ops.add(ops.mul(B(s.a), S(s.p)), ops.mul(B(s.b), S(s.p))),
    sharedBig: (B, S, s) => ops.sub(ops.mul(B(s.a), S(s.p)), ops.mul(S(s.q), B(s.a))),
  };
  const factorStep = productStep(factorMoves);
  const factorProgram = (steps: readonly ProductStep[]) =>
    productProgram(steps, factorMoves, (big) => big[big.length - 1]);
  const xs = [randoms(11, 18), randoms(12, 18), randoms(13, 9), randoms(14, 3)];

  test('rewritten graphs evaluate equal to the original on random programs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(factorStep, { minLength: 1, maxLength: 8 }), async (steps) => {
        const g = factorProgram(steps);
        const want = await run(g, xs);
        for (const h of [factorProducts(g), simplify(g)]) {
          const got = await run(h, xs);
          expect(relError(got[0], want[0])).toBeLessThan(1e-12);
        }
      }),
      { numRuns: 40 },
    );
  });

  test('moves scaling and negation onto the small factors', () => {
    const g = trace([spec('t', [2, 3, 3]), spec('u', [2, 3, 3]), spec('p', [3, 3])], (t, u, p) =>
      ops.add(ops.mul(ops.mul(t, p), ops.sin(p)), ops.mul(ops.neg(u), ops.mul(p, p))),
    );
    const bigOps = (h: Graph) =>
      h.nodes.filter((n) => n.op !== 'input' && n.shape.length === 3).length;
    // t*(p*sin p) and u*(-(p*p)) then one add: 3 full-size ops instead of 5
    expect(bigOps(g)).toBe(5);
    expect(bigOps(simplify(g))).toBe(3);
  });
});

describe('foldDoublings', () => {
  /** Random doublings of full-size [2,3,3] values, products with broadcast factors, sums. */
  const doublingMoves: Record<string, Move> = {
    double: (B, _, s) => ops.add(B(s.a), B(s.a)),
    scaleDoubled: (B, S, s) => ops.mul(S(s.p), ops.add(B(s.a), B(s.a))),
    doubleScaled: (B, S, s) => {
      const x = ops.mul(B(s.a), S(s.p));
      return ops.add(x, x);
    },
    doubleSum: (B, S, s) => {
      const x = ops.sub(ops.mul(B(s.a), S(s.p)), ops.mul(S(s.q), B(s.b)));
      return ops.add(x, x);
    },
    sum: (B, _, s) => ops.add(B(s.a), B(s.b)),
    scale: (B, S, s) => ops.mul(B(s.a), S(s.p)),
  };
  const doublingStep = productStep(doublingMoves);
  // the last two values are outputs, so earlier ones keep their uses
  const doublingProgram = (steps: readonly ProductStep[]) =>
    productProgram(steps, doublingMoves, (big) =>
      ops.add(big[big.length - 1], big[big.length - 2]),
    );
  const fullSize = (h: Graph) =>
    h.nodes.filter((n) => n.op !== 'input' && n.shape.length === 3).length;
  const xs = [randoms(31, 18), randoms(32, 18), randoms(33, 9), randoms(34, 3)];

  test('folded graphs compute the same bits with no more full-size ops', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(doublingStep, { minLength: 1, maxLength: 8 }), async (steps) => {
        const g = doublingProgram(steps);
        const h = foldDoublings(g);
        const [want] = await run(g, xs);
        const [got] = await run(h, xs);
        expect(Array.from(got)).toEqual(Array.from(want));
        expect(fullSize(h)).toBeLessThanOrEqual(fullSize(g));
      }),
      { numRuns: 60 },
    );
  });

  test('moves each doubling onto a small factor', () => {
    const g = trace(
      [spec('t', [2, 3, 3]), spec('u', [2, 3, 3]), spec('p', [3, 3]), spec('q', [3])],
      (t, u, p, q) => {
        const sum = ops.add(ops.mul(t, p), ops.mul(u, q));
        return ops.add(ops.mul(ops.add(t, t), ops.sin(p)), ops.add(sum, sum));
      },
    );
    // t+t, *sin p, t*p, u*q, +, sum+sum, + (7) -> t*(sin p+sin p), t*(p+p), u*(q+q), +, + (5)
    expect(fullSize(g)).toBe(7);
    const h = foldDoublings(g);
    expect(fullSize(h)).toBe(5);
    expect(
      h.nodes.some((n) => n.op === 'add' && n.inputs[0] === n.inputs[1] && n.shape.length === 3),
    ).toBe(false);
  });

  test('a sum used elsewhere keeps its doubling', () => {
    const g = trace([spec('t', [2, 3]), spec('p', [3])], (t, p) => {
      const sum = ops.add(ops.mul(t, p), ops.tanh(t));
      return ops.add(ops.add(sum, sum), ops.exp(sum));
    });
    expect(foldDoublings(g).nodes.length).toBe(dce(g).nodes.length);
  });

  test('hessian returns its graph with the doublings folded', () => {
    // tanh layers and squares: the tangents of squares are doublings
    const f = trace([spec('s', [3]), spec('x', [4, 3])], (s, x) => {
      const w = ops.constant(randoms(35, 9), [3, 3]);
      const a = ops.tanh(ops.matmul(ops.tanh(ops.mul(x, s)), w));
      const slope = ops.sub(1, ops.mul(a, a));
      return ops.sum(ops.square(ops.mul(slope, slope)));
    });
    const h = hessian(f, { wrt: 0, chunk: 1 });
    const largest = (g: Graph) => {
      const size = (n: Graph['nodes'][number]) => n.shape.reduce((p, d) => p * d, 1);
      const top = Math.max(...g.nodes.map(size));
      return g.nodes.filter((n) => size(n) === top).length;
    };
    expect(largest(foldDoublings(h))).toBe(largest(h));
  });
});

test('a slice of a gradient drops the backward work of the other entries', () => {
  const f = trace([spec('s', [4]), spec('x', [5, 2])], (s, x) =>
    ops.add(
      ops.sum(ops.exp(ops.mul(x, ops.slice(s, [0], [2])))),
      ops.sum(ops.tanh(ops.mul(x, ops.slice(s, [2], [2])))),
    ),
  );
  const g = grad(f, { wrt: 0 });
  const tail = simplify(trace(f.inputs, (s, x) => ops.slice(call(g, s, x)[0], [2], [2])));
  expect(g.nodes.some((n) => n.op === 'exp')).toBe(true);
  expect(tail.nodes.some((n) => n.op === 'exp')).toBe(false);
});

describe('sums of concats', () => {
  /**
   * A concat along axis 0 of a [6, 2] value: random cut points, each piece
   * either a zero fill, a nonzero fill, or a slice of `x` or `y` (a non-fill
   * piece a cut may not split).
   */
  const piece = fc.constantFrom('zero', 'fill', 'x', 'y');
  const layout = fc.record({
    cuts: fc.uniqueArray(fc.integer({ min: 1, max: 5 }), { maxLength: 3 }),
    kinds: fc.array(piece, { minLength: 4, maxLength: 4 }),
  });
  function padded(x: Value, y: Value, l: { cuts: number[]; kinds: string[] }): Value {
    const ends = [...[...l.cuts].sort((a, b) => a - b), 6];
    let start = 0;
    return ops.concat(
      ends.map((end, i) => {
        const rows = end - start;
        const from = start;
        start = end;
        const kind = l.kinds[i];
        if (kind === 'zero' || kind === 'fill')
          return ops.full(x, kind === 'zero' ? 0 : 1.5, [rows, 2]);
        return ops.slice(kind === 'x' ? x : ops.sin(y), [from, 0], [rows, 2]);
      }),
      0,
    );
  }
  const xs = [randoms(21, 12), randoms(22, 12)];

  test('folding keeps the value of random sums and differences of concats', async () => {
    await fc.assert(
      fc.asyncProperty(layout, layout, fc.boolean(), async (p, q, minus) => {
        const g = trace([spec('x', [6, 2]), spec('y', [6, 2])], (x, y) => {
          const [a, b] = [padded(x, y, p), padded(x, y, q)];
          return ops.tanh(minus ? ops.sub(a, b) : ops.add(a, b));
        });
        const want = await run(g, xs);
        expect(relError((await run(simplify(g), xs))[0], want[0])).toBeLessThan(1e-15);
      }),
      { numRuns: 60 },
    );
  });

  test('a sum of zero-padded pieces becomes one concat of the pieces', () => {
    // the cotangent of concat(a, b, c) assembled by reverse mode: three padded copies and two adds
    const g = trace([spec('a', [1, 2]), spec('b', [2, 2]), spec('c', [3, 2])], (a, b, c) => {
      const z = (rows: number) => ops.full(a, 0, [rows, 2]);
      return ops.add(
        ops.add(ops.concat([a, z(5)], 0), ops.concat([z(1), b, z(3)], 0)),
        ops.concat([z(3), c], 0),
      );
    });
    const h = simplify(g);
    expect(h.nodes.map((n) => n.op)).toEqual(['input', 'input', 'input', 'concat']);
    expect(h.nodes[3].inputs).toEqual([0, 1, 2]);
  });

  test('a concat with an empty piece is left alone and keeps its value', async () => {
    const g = trace([spec('a', [2, 2]), spec('b', [3, 2])], (a, b) => {
      const z = (rows: number) => ops.full(a, 0, [rows, 2]);
      return ops.add(ops.concat([a, z(0), z(3)], 0), ops.concat([z(2), b], 0));
    });
    const xs = [randoms(51, 4), randoms(52, 6)];
    expect(await run(simplify(g), xs)).toEqual(await run(g, xs));
  });

  test('a cut inside a piece that is not a fill leaves the sum alone', () => {
    const g = trace([spec('a', [4, 2]), spec('b', [2, 2])], (a, b) => {
      const z = (rows: number) => ops.full(a, 0, [rows, 2]);
      return ops.add(ops.concat([a, z(2)], 0), ops.concat([z(1), b, z(3)], 0));
    });
    expect(simplify(g).nodes.filter((n) => n.op === 'add')).toHaveLength(1);
  });
});

describe('sinkSlices', () => {
  /** A random chain over [2, 3, 4] values (elementwise with broadcast operands, sums, reshapes, matmuls), then a random box of it. */
  const sinkStep = fc.record({
    op: fc.constantFrom(
      'tanh',
      'mulRow',
      'addCol',
      'sub',
      'sumKeep',
      'sumDrop',
      'unsqueeze',
      'matmul',
      'matmulT',
    ),
    a: fc.nat(),
  });
  const boxOf = fc.tuple(
    fc.integer({ min: 0, max: 1 }),
    fc.integer({ min: 0, max: 2 }),
    fc.integer({ min: 0, max: 3 }),
  );
  function chain(steps: readonly { op: string; a: number }[], lo: number[]): Graph {
    return trace(
      [spec('t', [2, 3, 4]), spec('row', [4]), spec('col', [3, 1]), spec('m', [4, 4])],
      (t, row, col, m) => {
        const pool: Value[] = [t];
        for (const s of steps) {
          const x = pool[s.a % pool.length];
          const next: Record<string, () => Value> = {
            tanh: () => ops.tanh(x),
            mulRow: () => ops.mul(x, row),
            addCol: () => ops.add(col, x),
            sub: () => ops.sub(x, pool[0]),
            sumKeep: () => ops.mul(ops.sum(x, 1, true), x),
            sumDrop: () => ops.mul(ops.reshape(ops.sum(x, 2), [2, 3, 1]), x),
            unsqueeze: () => ops.reshape(ops.reshape(x, [2, 1, 3, 4]), [2, 3, 4]),
            matmul: () => ops.matmul(x, m),
            matmulT: () => ops.matmul(m, ops.reshape(x, [2, 4, 3]), { transposeA: true }),
          };
          const y = next[s.op]();
          pool.push(y.shape.length === 3 && y.shape[1] === 3 ? y : ops.reshape(y, [2, 3, 4]));
        }
        const last = pool[pool.length - 1];
        return ops.slice(last, lo, [2 - lo[0], 3 - lo[1], 4 - lo[2]]);
      },
    );
  }
  const xs = [randoms(31, 24), randoms(32, 4), randoms(33, 3), randoms(34, 16)];

  test('sinking keeps the value of random slices of random chains', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(sinkStep, { minLength: 1, maxLength: 6 }),
        boxOf,
        async (steps, lo) => {
          const g = chain(steps, lo);
          const want = await run(g, xs);
          for (const h of [sinkSlices(g), simplify(g)]) {
            expect(relError((await run(h, xs))[0], want[0])).toBeLessThan(1e-13);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  test('a column slice of a product sum reaches the thin matmul', () => {
    // the tail of a sigma gradient: sum over rows of (X U) * P, entries 1.. of 3
    const g = trace([spec('x', [5, 4]), spec('u', [4, 3]), spec('p', [5, 3])], (x, u, p) =>
      ops.slice(ops.reshape(ops.sum(ops.mul(ops.matmul(x, u), p), 0), [3]), [1], [2]),
    );
    const mm = sinkSlices(g).nodes.filter((n) => n.op === 'matmul');
    expect(mm.map((n) => n.shape)).toEqual([[5, 2]]);
  });

  test('a rank-one product read only through slices is computed slice by slice', async () => {
    const f = (extraUse: boolean) =>
      trace([spec('a', [2, 4, 1]), spec('b', [2, 1, 5])], (a, b) => {
        const t = ops.mul(a, b); // [2, 4, 5] from 8 + 10 numbers: Taylor streams stacked on axis 1
        const top = ops.slice(t, [0, 0, 0], [2, 2, 5]),
          bottom = ops.slice(t, [0, 2, 0], [2, 2, 5]);
        const out = ops.add(ops.tanh(top), ops.square(bottom));
        return extraUse ? ops.add(ops.sum(t), ops.sum(out)) : out;
      });
    const whole = (h: Graph) => h.nodes.filter((n) => n.shape.join() === '2,4,5').length;
    const xs = [randoms(41, 8), randoms(42, 10)];
    for (const extraUse of [false, true]) {
      const g = f(extraUse);
      const h = sinkSlices(g);
      expect(whole(h)).toBe(extraUse ? 1 : 0);
      expect(relError((await run(h, xs))[0], (await run(g, xs))[0])).toBeLessThan(1e-15);
    }
  });

  test('a value with other uses is computed once, and sliced', () => {
    const g = trace([spec('x', [4, 3])], (x) => {
      const y = ops.tanh(ops.mul(x, 2));
      return ops.add(ops.sum(y), ops.sum(ops.slice(y, [1, 0], [2, 3])));
    });
    const h = sinkSlices(g);
    expect(h.nodes.filter((n) => n.op === 'tanh')).toHaveLength(1);
    expect(h.nodes.filter((n) => n.op === 'slice')).toHaveLength(1);
  });
});
