/**
 * The modular (score-and-sort) methods. Each keeps the `budget` indices with
 * the best score; ties go to the lowest index so results are deterministic.
 */
import type { MethodName } from './methods';
import { removalGains } from './objective';

/** Scores of a modular method: higher means "keep first". */
export function modularScores(
  method: Extract<MethodName, 'magnitude' | 'linear' | 'adalora' | 'diag'>,
  sigma: Float64Array,
  grad: Float64Array,
  hessian: { readonly data: Float64Array; readonly size: number },
): Float64Array {
  // Pruning i alone changes the diagonal second-order loss by
  // -g_i sigma_i + 1/2 H_ii sigma_i^2, which is exactly the removal gain.
  if (method === 'diag') return removalGains(sigma, grad, hessian);
  const r = sigma.length;
  const score = new Float64Array(r);
  for (let i = 0; i < r; i++) {
    const s = sigma[i];
    const gs = grad[i] * s;
    switch (method) {
      case 'magnitude':
        score[i] = Math.abs(s);
        break;
      case 'linear':
        // Pruning i alone changes the first-order loss by -g_i sigma_i: keep where that is largest.
        score[i] = -gs;
        break;
      case 'adalora':
        score[i] = Math.abs(gs);
        break;
    }
  }
  return score;
}

/** The `budget` indices with the largest scores (lowest index first among ties), in pick order. */
export function topByScore(score: Float64Array, budget: number): number[] {
  const order = Array.from({ length: score.length }, (_, i) => i);
  order.sort((a, b) => score[b] - score[a] || a - b);
  return order.slice(0, budget);
}
