/**
 * The nesting the PINN needs: the Hessian w.r.t. sigma of a loss that already
 * holds second input derivatives (a Laplacian residual) of a tanh MLP with
 * LoRA-SVD layers, checked against finite differences of its gradient, for
 * symmetry, and against jacfwd(jacrev) done the slow way (one jvp per direction).
 */
import fc from 'fast-check';
import { fdDirectional, randoms, relError, run } from '../fd.test-utils';
import type { Value } from '../ir/builder';
import { call, spec, trace } from '../ir/trace';
import type { Graph } from '../ir/types';
import * as ops from '../ops';
import { referenceBackend } from '@sublora/tensor';
import {
  adjointCutsPay,
  defaultHessianChunk,
  HESSIAN_CHUNK_BYTES,
  hessian,
  hvp,
  jacobian,
} from './hessian';
import { laplacian, partial } from './input-derivatives';
import { grad } from './vjp';

const w = 5,
  k = 2,
  r = 2 * k,
  Ni = 6,
  Nb = 4;
let seed = 1;
const rand = (shape: number[], scale = 1) =>
  ops.constant(
    randoms(
      seed++,
      shape.reduce((a, b) => a * b, 1),
      -scale,
      scale,
    ),
    shape,
  );

/** LoRA-SVD layer `h (W0 + U diag(s) V) + b`. */
function loraLayer(h: Value, s: Value): Value {
  const base = ops.matmul(h, rand([w, w], 0.6));
  const lora = ops.matmul(ops.mul(ops.matmul(h, rand([w, k], 0.5)), s), rand([k, w], 0.5));
  return ops.add(ops.add(base, lora), rand([w], 0.1));
}

/** u(sigma, x): MLP 2 -> w -> w -> w -> 1 with LoRA-SVD on both hidden-to-hidden layers. */
function mlp(points: number): Graph {
  seed = 1; // same weights in every trace
  return trace([spec('sigma', [r]), spec('x', [points, 2])], (sigma, x) => {
    const h1 = ops.tanh(ops.add(ops.matmul(x, rand([2, w])), rand([w], 0.1)));
    const h2 = ops.tanh(loraLayer(h1, ops.slice(sigma, [0], [k])));
    const h3 = ops.tanh(loraLayer(h2, ops.slice(sigma, [k], [k])));
    return ops.matmul(h3, rand([w, 1]));
  });
}

/** Elliptic-like loss: mean (-(1+|x|^2/2) lap u - x . grad u + |grad u|^2 - g)^2 + mean (u - h)^2 on the boundary. */
function pinnLoss(): Graph {
  const u = mlp(Ni),
    ub = mlp(Nb);
  const lap = laplacian(u, { wrt: 1 });
  const ux = partial(u, { wrt: 1, dim: 0 }),
    uy = partial(u, { wrt: 1, dim: 1 });
  return trace([spec('sigma', [r]), spec('xi', [Ni, 2]), spec('xb', [Nb, 2])], (sigma, xi, xb) => {
    const [l] = call(lap, sigma, xi),
      [gx] = call(ux, sigma, xi),
      [gy] = call(uy, sigma, xi);
    const x0 = ops.slice(xi, [0, 0], [Ni, 1]),
      x1 = ops.slice(xi, [0, 1], [Ni, 1]);
    const a = ops.add(1, ops.mul(ops.add(ops.square(x0), ops.square(x1)), 0.5));
    const res = ops.add(
      ops.sub(ops.neg(ops.mul(a, l)), ops.add(ops.mul(x0, gx), ops.mul(x1, gy))),
      ops.sub(ops.add(ops.square(gx), ops.square(gy)), ops.constant(randoms(50, Ni), [Ni, 1])),
    );
    const [u0] = call(ub, sigma, xb);
    const bres = ops.sub(u0, ops.constant(randoms(51, Nb, -0.2, 0.2), [Nb, 1]));
    return ops.add(ops.mean(ops.square(res)), ops.mean(ops.square(bres)));
  });
}

describe('Hessian w.r.t. sigma of a LoRA-SVD tanh MLP PINN loss with a Laplacian residual', () => {
  const loss = pinnLoss();
  const inputs = [
    randoms(3, r, 0.5, 1.5),
    randoms(4, 2 * Ni, -0.7, 0.7),
    randoms(5, 2 * Nb, -1, 1),
  ];
  const H = hessian(loss, { wrt: 0 });

  test('agrees with central differences of the gradient (relative error < 1e-6)', async () => {
    const [h] = await run(H, inputs);
    const g = grad(loss, { wrt: 0 });
    const fd: number[] = [];
    for (let i = 0; i < r; i++) {
      const e = new Array<number>(r).fill(0);
      e[i] = 1;
      fd.push(...(await fdDirectional(g, inputs, 0, e)));
    }
    const err = relError(h, fd);
    console.log(
      `hessian vs finite differences of the gradient: relative error ${err.toExponential(2)}`,
    );
    expect(err).toBeLessThan(1e-6);
  });

  test('is symmetric and matches jacfwd(jacrev) computed with r separate jvp passes', async () => {
    const [h] = await run(H, inputs);
    for (let i = 0; i < r; i++)
      for (let j = 0; j < i; j++)
        expect(Math.abs(h[i * r + j] - h[j * r + i])).toBeLessThan(
          1e-10 * (1 + Math.abs(h[i * r + j])),
        );
    const Hv = hvp(loss, { wrt: 0 });
    const slow: number[] = [];
    for (let i = 0; i < r; i++) {
      const e = new Array<number>(r).fill(0);
      e[i] = 1;
      slow.push(...(await run(Hv, [...inputs, e]))[0]);
    }
    const err = relError(h, slow);
    console.log(`batched hessian vs r separate jvp passes: relative error ${err.toExponential(2)}`);
    expect(err).toBeLessThan(1e-12);
  });

  test('chunked directions give the same, exactly symmetric Hessian', async () => {
    const [full] = await run(H, inputs);
    for (const chunk of [1, 3]) {
      // later chunks differentiate only gradient entries >= their first direction; the rest is mirrored
      const [chunked] = await run(hessian(loss, { wrt: 0, chunk }), inputs);
      expect(relError(chunked, full)).toBeLessThan(1e-12);
      for (let i = 0; i < r; i++)
        for (let j = 0; j < i; j++) expect(chunked[i * r + j]).toBe(chunked[j * r + i]);
    }
  });

  test('the default chunk keeps the largest batched tangent within HESSIAN_CHUNK_BYTES', () => {
    const g = grad(loss, { wrt: 0 });
    const largest = Math.max(...g.nodes.map((n) => n.shape.reduce((a, b) => a * b, 1)));
    const n = 1e6; // more directions than the bound allows
    const c = defaultHessianChunk(g, n);
    expect(c).toBe(Math.max(1, Math.floor(HESSIAN_CHUNK_BYTES / (8 * largest))));
    expect(c).toBeLessThan(n);
    expect(defaultHessianChunk(g, 2)).toBeLessThanOrEqual(2);
  });

  test('the batched tangent of (x U) * sigma is never materialized as [r, N, r]', async () => {
    const N = 7,
      R = 3,
      out = 4;
    seed = 20;
    const layer = trace([spec('sigma', [R]), spec('x', [N, 3])], (sigma, x) =>
      ops.matmul(ops.mul(ops.matmul(x, rand([3, R])), sigma), rand([R, out])),
    );
    const J = jacobian(layer, { wrt: 0 });
    expect(
      J.nodes.filter((n) => n.shape.length === 3 && n.shape[0] === R && n.shape[2] === R),
    ).toEqual([]);
    const xs = [randoms(8, R), randoms(9, N * 3)];
    const [j] = await run(J, xs);
    for (let c = 0; c < R; c++) {
      const e = new Array<number>(R).fill(0);
      e[c] = 1;
      const fd = await fdDirectional(layer, xs, 0, e);
      expect(
        relError(
          Array.from({ length: N * out }, (_, q) => j[q * R + c]),
          fd,
        ),
      ).toBeLessThan(1e-8);
    }
  });
});

/** A tanh MLP 2 -> w -> w -> w -> 1, LoRA-SVD rank k on both hidden-to-hidden layers, Laplacian residual loss. */
function randomLoss(width: number, rank: number, N: number, weightSeed: number): Graph {
  let s = weightSeed;
  const c = (shape: number[], scale: number) =>
    ops.constant(
      randoms(
        s++,
        shape.reduce((a, b) => a * b, 1),
        -scale,
        scale,
      ),
      shape,
    );
  const u = trace([spec('sigma', [2 * rank]), spec('x', [N, 2])], (sigma, x) => {
    const h1 = ops.tanh(ops.matmul(x, c([2, width], 1)));
    const lora = (h: Value, out: number, sl: Value) =>
      ops.add(
        ops.matmul(h, c([width, out], 0.7)),
        ops.matmul(ops.mul(ops.matmul(h, c([width, rank], 0.6)), sl), c([rank, out], 0.6)),
      );
    const h2 = ops.tanh(lora(h1, width, ops.slice(sigma, [0], [rank])));
    const h3 = ops.tanh(lora(h2, width, ops.slice(sigma, [rank], [rank])));
    return ops.matmul(h3, c([width, 1], 0.7));
  });
  const lap = laplacian(u, { wrt: 1 });
  return trace([spec('sigma', [2 * rank]), spec('x', [N, 2])], (sigma, x) => {
    const [l] = call(lap, sigma, x);
    const [v] = call(u, sigma, x);
    return ops.add(ops.mean(ops.square(ops.sub(l, 0.3))), ops.mean(ops.square(v)));
  });
}

describe('backend hints', () => {
  test("the cut rule reads gramReadFlops from hints; the default is the reference backend's", async () => {
    const f = randomLoss(16, 2, 3, 40);
    const xs = [randoms(41, 4, 0.5, 1.5), randoms(42, 6, -1, 1)];
    const byDefault = hessian(f, { wrt: 0, chunk: 1 });
    const reference = hessian(f, { wrt: 0, chunk: 1, hints: referenceBackend.hints });
    expect(reference).toEqual(byDefault);
    // reads so dear that no cut pays: plain forward-over-reverse's backward products stay
    const dear = hessian(f, {
      wrt: 0,
      chunk: 1,
      hints: { compilesWholeGraphs: false, gramReadFlops: 1e9 },
    });
    const plain = hessian(f, { wrt: 0, chunk: 1, adjointCuts: false });
    expect(dear.nodes.length).toBe(plain.nodes.length);
    expect(dear.nodes.length).not.toBe(byDefault.nodes.length);
    expect(relError((await run(dear, xs))[0], (await run(byDefault, xs))[0])).toBeLessThan(1e-12);
    expect(() =>
      hessian(f, { wrt: 0, hints: { compilesWholeGraphs: false, gramReadFlops: 0 } }),
    ).toThrow('hessian: hints.gramReadFlops 0 must be a positive number');
  });

  test('adjointCutsPay follows hints.compilesWholeGraphs, else whether the backend takes whole graphs', () => {
    const { hints: _, ...hintless } = referenceBackend;
    expect(adjointCutsPay(referenceBackend)).toBe(true);
    expect(
      adjointCutsPay({ ...hintless, hints: { compilesWholeGraphs: true, gramReadFlops: 4 } }),
    ).toBe(false);
    expect(adjointCutsPay(hintless)).toBe(true);
    expect(adjointCutsPay(Object.assign({ ...hintless }, { executeGraph: async () => [] }))).toBe(
      false,
    );
  });
});

describe('adjoint cuts', () => {
  test('same Hessian as plain forward-over-reverse, without the batched backward w x w products', async () => {
    const width = 16,
      rank = 2,
      N = 3;
    const f = randomLoss(width, rank, N, 40);
    const xs = [randoms(41, 2 * rank, 0.5, 1.5), randoms(42, 2 * N, -1, 1)];
    const plain = hessian(f, { wrt: 0, chunk: 1, adjointCuts: false });
    const cut = hessian(f, { wrt: 0, chunk: 1 });
    const [hc] = await run(cut, xs);
    expect(relError(hc, (await run(plain, xs))[0])).toBeLessThan(1e-12);
    const g = grad(f, { wrt: 0 });
    const fd: number[] = [];
    for (let i = 0; i < 2 * rank; i++) {
      const e = new Array<number>(2 * rank).fill(0);
      e[i] = 1;
      fd.push(...(await fdDirectional(g, xs, 0, e)));
    }
    expect(relError(hc, fd)).toBeLessThan(1e-6);
    // a direction's cotangent times the hidden-to-hidden weight, transposed: [1, N, w] x [w, w]^T
    const backward = (h: Graph) =>
      h.nodes.filter((n) => {
        if (n.op !== 'matmul' || !n.params.transposeB) return false;
        const [a, b] = n.inputs.map((i) => h.nodes[i].shape);
        return a.length === 3 && a[0] === 1 && b[0] === width && b[1] === width;
      }).length;
    expect(backward(plain)).toBeGreaterThan(0);
    expect(backward(cut)).toBe(0);
    for (const h of [plain, cut]) expect(h.nodes.some((n) => n.op === 'adjointOf')).toBe(false);
  });

  test('a graph that already holds the internal mark is refused with a one-line error', () => {
    const f = trace([spec('x', [3])], (x) =>
      ops.sum(ops.square(x.builder.emit('adjointOf', [x, x], { contraction: 1 }))),
    );
    expect(() => hessian(f, { wrt: 0 })).toThrow(/'adjointOf' node, a mark internal to hessian/);
  });

  test('on random LoRA-SVD MLP losses the cut Hessian equals plain forward-over-reverse and is exactly symmetric (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          width: fc.integer({ min: 6, max: 16 }),
          rank: fc.integer({ min: 1, max: 3 }),
          N: fc.integer({ min: 1, max: 4 }),
          chunk: fc.integer({ min: 1, max: 6 }),
          seed: fc.integer({ min: 1, max: 1_000_000 }),
        }),
        async ({ width, rank, N, chunk, seed: s }) => {
          const f = randomLoss(width, rank, N, s);
          const n = 2 * rank;
          const xs = [randoms(s + 7, n, 0.5, 1.5), randoms(s + 8, 2 * N, -1, 1)];
          const [plain] = await run(hessian(f, { wrt: 0, chunk, adjointCuts: false }), xs);
          const [cut] = await run(hessian(f, { wrt: 0, chunk }), xs);
          expect(relError(cut, plain)).toBeLessThan(1e-10);
          for (let i = 0; i < n; i++)
            for (let j = 0; j < i; j++) expect(cut[i * n + j]).toBe(cut[j * n + i]);
        },
      ),
      { numRuns: 25 },
    );
  });
});
