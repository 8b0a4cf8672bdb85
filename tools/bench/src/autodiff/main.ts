/**
 * Autodiff benchmark: loss, gradient and full Hessian w.r.t. sigma of an
 * elliptic-PINN-like loss on the reference backend, built three ways: with
 * nested jvp `laplacian`/`partial` (`pinn-loss.ts`) and with `@sublora/nn`'s
 * Taylor-mode forward pass (`pinn-loss-nn.ts`), per-column second
 * derivatives (`taylor-nn`) or the forward Laplacian (`taylor-lap`, what the
 * PINN app uses).
 * Reports the Hessian/gradient time ratio (goal: below r/4) and a node
 * census of each Hessian graph (`census.ts`).
 *
 *   node dist/autodiff/main.js [--quick] [--widths 64,256] [--no-chunked] [--ablation]
 *     [--threads N] [--out FILE]
 *
 * `--widths` picks sizes of `PINN_SIZES`: 64 (k 8), 256 (k 16), 1000 (k 50,
 * one round, about 30 minutes for the three losses on a 2-core machine; not in the default).
 *
 * `--no-chunked` skips the Hessian in batches of {@link CHUNK} directions
 * (slower than the default chunk at w >= 256; at w = 1000 the run takes 19 minutes without it).
 *
 * `--threads N`: threads for the backend's big matrix products (default:
 * every available CPU, as `@sublora/backends` creates it).
 *
 * `--ablation` also times, in the same alternating rounds, the gradient and
 * Hessian without elementwise fusion (`evaluate(..., { fuse: false })`) and
 * the Hessian without adjoint cuts (`hessian(..., { adjointCuts: false })`).
 */
import {
  defaultHessianChunk,
  evaluateToArrays,
  grad,
  hessian,
  type Graph,
} from '@sublora/autodiff';
import { referenceBackend } from '@sublora/tensor';
import {
  parseFlags,
  resultPath,
  timeAlternating,
  useReferenceThreads,
  writeResults,
} from '../harness';
import { census, censusTotals } from './census';
import { defaultRounds, pinnInputs, pinnSizesOfWidths, type PinnSize } from './pinn-loss';
import { PINN_LOSSES } from './pinn-loss-nn';

/** Directions per batched pass in the chunked variant (smaller batches stay in cache). */
const CHUNK = 4;

async function main(): Promise<void> {
  const flags = parseFlags({
    switches: ['--quick', '--no-chunked', '--ablation'],
    values: ['--widths'],
    positiveInts: ['--threads'],
  });
  console.log(
    `reference backend: big matmuls on ${useReferenceThreads(flags.positiveInts.get('--threads'))} thread(s)`,
  );
  const quick = flags.switches.has('--quick');
  const ablation = flags.switches.has('--ablation');
  const chunked = !flags.switches.has('--no-chunked');
  const path = resultPath('autodiff', flags);
  // `--widths 64,256` (the default; 1000 adds the paper-scale size) picks sizes of `PINN_SIZES`
  const sizes: PinnSize[] = quick
    ? [{ width: 16, rank: 4, interior: 128, boundary: 32 }]
    : pinnSizesOfWidths(flags.values.get('--widths'), [64, 256]);
  const cases = [];
  for (const size of sizes) {
    for (const { name, build } of PINN_LOSSES) {
      const r = 2 * size.rank;
      const t0 = performance.now();
      const loss = build(size);
      const g = grad(loss, { wrt: 0 });
      const chunk = defaultHessianChunk(g, r);
      const H = hessian(loss, { wrt: 0 });
      const buildMs = performance.now() - t0;
      const inputs = pinnInputs(size);
      const rounds = defaultRounds(size);
      const variants: { graph: Graph; fuse?: boolean }[] = [
        { graph: loss },
        { graph: g },
        { graph: H },
      ];
      if (chunked) variants.push({ graph: hessian(loss, { wrt: 0, chunk: CHUNK }) });
      if (ablation)
        variants.push(
          { graph: g, fuse: false },
          { graph: H, fuse: false },
          { graph: hessian(loss, { wrt: 0, adjointCuts: false }) },
        );
      const [lossT, gradT, hessT, ...rest] = await timeAlternating(
        variants.map(
          (v) => () => evaluateToArrays(v.graph, referenceBackend, inputs, { fuse: v.fuse }),
        ),
        rounds,
      );
      const ratio = hessT.medianMs / gradT.medianMs;
      // fastest over fastest: the machine is shared, and load only ever adds time
      const minRatio = hessT.minMs / gradT.minMs;
      // the chunked Hessian's fields of the row (absent with --no-chunked), then the ablations
      const chunkedFields = chunked && {
        hessianChunk: CHUNK,
        hessianChunkedMs: rest[0],
        hessianChunkedOverGradient: rest[0].medianMs / gradT.medianMs,
      };
      const ablated = chunked ? rest.slice(1) : rest;
      const totals = censusTotals(census(H, chunk));
      const row = {
        loss: name,
        ...size,
        r,
        nodes: { loss: loss.nodes.length, gradient: g.nodes.length, hessian: H.nodes.length },
        hessianDefaultChunk: chunk,
        hessianCensus: totals,
        gradientCensus: censusTotals(census(g, -1)).unbatched,
        buildMs,
        lossMs: lossT,
        gradientMs: gradT,
        hessianMs: hessT,
        hessianOverGradient: ratio,
        hessianOverGradientMin: minRatio,
        ...chunkedFields,
        ...(ablation && {
          withoutFusion: {
            gradientMs: ablated[0],
            hessianMs: ablated[1],
            hessianOverGradient: ablated[1].medianMs / ablated[0].medianMs,
          },
          withoutAdjointCuts: {
            hessianMs: ablated[2],
            hessianOverGradient: ablated[2].medianMs / gradT.medianMs,
          },
        }),
      };
      cases.push(row);
      console.log(
        `${name} w=${size.width} k=${size.rank} r=${r}: loss ${lossT.medianMs.toFixed(1)} ms, gradient ${gradT.medianMs.toFixed(1)} ms, ` +
          `hessian (default chunk ${chunk}) ${hessT.medianMs.toFixed(1)} ms (ratio ${ratio.toFixed(2)}, of minima ${minRatio.toFixed(2)}; r/4 = ${r / 4}), ` +
          (chunkedFields
            ? `hessian chunk ${CHUNK} ${chunkedFields.hessianChunkedMs.medianMs.toFixed(1)} ms (ratio ${chunkedFields.hessianChunkedOverGradient.toFixed(2)}), `
            : '') +
          `build ${buildMs.toFixed(0)} ms; ` +
          `hessian census: ${totals.batched.nodes} batched ops (${(totals.batched.flops / 1e6).toFixed(0)} Mflop), ${totals.unbatched.nodes} unbatched (${(totals.unbatched.flops / 1e6).toFixed(0)} Mflop)`,
      );
      if (ablation)
        console.log(
          `  without fusion: gradient ${ablated[0].medianMs.toFixed(1)} ms, hessian ${ablated[1].medianMs.toFixed(1)} ms (ratio ${(ablated[1].medianMs / ablated[0].medianMs).toFixed(2)}); ` +
            `without adjoint cuts: hessian ${ablated[2].medianMs.toFixed(1)} ms (ratio ${(ablated[2].medianMs / gradT.medianMs).toFixed(2)})`,
        );
    }
  }
  writeResults(path, 'autodiff', {
    backend: referenceBackend.name,
    dtype: 'float64',
    matmul: referenceBackend.describe(),
    note: "loss: nested-jvp (pinn-loss.ts), taylor-nn (pinn-loss-nn.ts, per-column second derivatives) or taylor-lap (pinn-loss-nn.ts, forward Laplacian: the PINN app's construction). hessianMs: default chunk (memory bound, `hessianDefaultChunk` directions per batched pass); hessianChunkedMs: batches of `hessianChunk` directions (absent with --no-chunked); medians of wall time over alternating rounds (loss, gradient, Hessians) so all see the same load; hessianOverGradientMin: ratio of the fastest rounds (load on the shared machine only adds time). Census: batched = nodes whose leading axis is the direction batch; flops estimated (2mnk per matmul, elements otherwise).",
    cases,
  });
  console.log(`wrote ${path}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
