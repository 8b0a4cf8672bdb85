import * as tf from '@tensorflow/tfjs';
import type { Backend, Tensor } from '@sublora/tensor';
import { createTfjsBackend, type EngineName } from './index';

/**
 * One SGD step of a 1-hidden-layer tanh MLP with squared loss, written with
 * backend kernels only, disposing every intermediate. Returns the loss.
 */
function sgdStep(
  be: Backend,
  params: { w1: Tensor; b1: Tensor; w2: Tensor },
  x: Tensor,
  t: Tensor,
  lr: number,
) {
  const live: Tensor[] = [];
  const k = <T extends Tensor>(v: T): T => (live.push(v), v);
  const n = x.shape[0];
  const z = k(be.binary('add', k(be.matmul(x, params.w1)), params.b1));
  const a = k(be.unary('tanh', z));
  const y = k(be.matmul(a, params.w2));
  const r = k(be.binary('sub', y, t));
  const loss = be.reduce('mean', k(be.unary('square', r)));
  const dy = k(be.binary('mul', r, k(be.fill([], 2 / n, 'float32'))));
  const dw2 = k(be.matmul(a, dy, { transposeA: true }));
  const da = k(be.matmul(dy, params.w2, { transposeB: true }));
  const one = k(be.fill([], 1, 'float32'));
  const dz = k(be.binary('mul', da, k(be.binary('sub', one, k(be.unary('square', a))))));
  const dw1 = k(be.matmul(x, dz, { transposeA: true }));
  const db1 = k(be.reduce('sum', dz, [0]));
  const step = k(be.fill([], lr, 'float32'));
  const update = (p: Tensor, g: Tensor) => {
    const next = be.binary('sub', p, k(be.binary('mul', g, step)));
    be.dispose(p);
    return next;
  };
  params.w1 = update(params.w1, dw1);
  params.b1 = update(params.b1, db1);
  params.w2 = update(params.w2, dw2);
  live.forEach((v) => be.dispose(v));
  return loss;
}

describe.each<EngineName>(['cpu', 'wasm'])('memory on %s', (engine) => {
  it('keeps tf.memory().numTensors flat over 200 MLP forward/backward steps', async () => {
    const be = await createTfjsBackend({ engine });
    const n = 16,
      d = 3,
      h = 8;
    const seq = (len: number, s: number) =>
      Array.from({ length: len }, (_, i) => Math.sin(s * (i + 1)));
    const x = be.fromArray(seq(n * d, 1.3), [n, d], 'float32');
    const t = be.fromArray(seq(n, 0.7), [n, 1], 'float32');
    const params = {
      w1: be.fromArray(
        seq(d * h, 2.1).map((v) => v / 2),
        [d, h],
        'float32',
      ),
      b1: be.zeros([h], 'float32'),
      w2: be.fromArray(
        seq(h, 0.9).map((v) => v / 2),
        [h, 1],
        'float32',
      ),
    };
    const losses: number[] = [];
    let afterFirst = -1;
    for (let i = 0; i < 200; i++) {
      const loss = sgdStep(be, params, x, t, 0.1);
      losses.push((await be.read(loss))[0]);
      be.dispose(loss);
      if (i === 0) afterFirst = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(afterFirst);
    expect(losses[199]).toBeLessThan(0.5 * losses[0]); // it did train
    for (const p of [x, t, params.w1, params.b1, params.w2]) be.dispose(p);
    expect(tf.memory().numTensors).toBe(afterFirst - 5);
  });
});
