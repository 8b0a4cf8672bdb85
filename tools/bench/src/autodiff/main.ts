/**
 * Autodiff benchmark: loss, gradient and full Hessian w.r.t. sigma of an
 * elliptic-PINN-like loss (see `pinn-loss.ts`) on the reference backend.
 * Reports the Hessian/gradient time ratio (goal: well below r).
 *
 *   node dist/autodiff/main.js [--quick] [--out FILE]
 */
import { evaluateToArrays, grad, hessian, type Graph } from '@sublora/autodiff';
import { referenceBackend } from '@sublora/tensor';
import { timeIt, writeResults, type Timing } from '../harness';
import { pinnLoss, randoms, type PinnSize } from './pinn-loss';

const quick = process.argv.includes('--quick');
/** Directions per batched pass in the chunked variant (smaller batches stay in cache). */
const CHUNK = 4;
const sizes: PinnSize[] = quick
  ? [{ width: 16, rank: 4, interior: 128, boundary: 32 }]
  : [
      { width: 64, rank: 8, interior: 1024, boundary: 256 },
      { width: 256, rank: 16, interior: 1024, boundary: 256 },
    ];

/**
 * Times gradient and Hessian in alternating rounds, so both see the same
 * machine load (the machine is shared): returns per-graph timings.
 */
async function timeAlternating(
  graphs: readonly Graph[],
  inputs: Float64Array[],
  rounds: number,
): Promise<Timing[]> {
  const samples: number[][] = graphs.map(() => []);
  for (const g of graphs) await evaluateToArrays(g, referenceBackend, inputs); // warm-up
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < graphs.length; i++) {
      const t = await timeIt(() => evaluateToArrays(graphs[i], referenceBackend, inputs), {
        warmup: 0,
        minRepeats: 1,
        minTotalMs: 0,
      });
      samples[i].push(t.medianMs);
    }
  }
  return samples.map((xs) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    const medianMs = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    return {
      medianMs,
      minMs: sorted[0],
      meanMs: xs.reduce((a, b) => a + b, 0) / xs.length,
      repeats: xs.length,
    };
  });
}

async function main(): Promise<void> {
  const cases = [];
  for (const size of sizes) {
    const r = 2 * size.rank;
    const t0 = performance.now();
    const loss = pinnLoss(size);
    const g = grad(loss, { wrt: 0 });
    const H = hessian(loss, { wrt: 0 });
    const Hchunked = hessian(loss, { wrt: 0, chunk: CHUNK });
    const buildMs = performance.now() - t0;
    const inputs = [
      randoms(3, r, 0.5, 1.5),
      randoms(4, 2 * size.interior, -0.7, 0.7),
      randoms(5, 2 * size.boundary, -1, 1),
    ];
    const rounds = size.width >= 256 ? 2 : 5;
    const [lossT, gradT, hessT, chunkT] = await timeAlternating(
      [loss, g, H, Hchunked],
      inputs,
      rounds,
    );
    const ratio = hessT.medianMs / gradT.medianMs;
    const chunkRatio = chunkT.medianMs / gradT.medianMs;
    const row = {
      ...size,
      r,
      nodes: { loss: loss.nodes.length, gradient: g.nodes.length, hessian: H.nodes.length },
      buildMs,
      lossMs: lossT,
      gradientMs: gradT,
      hessianMs: hessT,
      hessianOverGradient: ratio,
      hessianChunk: CHUNK,
      hessianChunkedMs: chunkT,
      hessianChunkedOverGradient: chunkRatio,
    };
    cases.push(row);
    console.log(
      `w=${size.width} k=${size.rank} r=${r}: loss ${lossT.medianMs.toFixed(1)} ms, gradient ${gradT.medianMs.toFixed(1)} ms, ` +
        `hessian ${hessT.medianMs.toFixed(1)} ms (ratio ${ratio.toFixed(2)}), hessian chunk ${CHUNK} ${chunkT.medianMs.toFixed(1)} ms ` +
        `(ratio ${chunkRatio.toFixed(2)}; r/4 = ${r / 4}), build ${buildMs.toFixed(0)} ms`,
    );
  }
  const path = writeResults('autodiff', {
    backend: referenceBackend.name,
    dtype: 'float64',
    note: 'hessianMs: one batched forward-over-reverse pass over all r directions; hessianChunkedMs: the same in batches of `hessianChunk` directions; medians of wall time over alternating rounds (loss, gradient, Hessian) so all see the same load.',
    cases,
  });
  console.log(`wrote ${path}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
