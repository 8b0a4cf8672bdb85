/**
 * Tie-aware ranks: equal values share the average of the ranks they span,
 * so no method gains from its place in the method list.
 */
import ranks from '@stdlib/stats-ranks';
import { InputError } from '@sublora/tensor';

/** Throws a one-line error naming `input` when a value is not finite. */
export function requireFinite(input: string, values: readonly number[]): void {
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    throw new InputError(
      input,
      `entry ${bad} is ${values[bad]}; drop failed runs before computing statistics`,
    );
  }
}

/** Ranks from 1 (smallest) to n; ties get the average of their ranks. */
export function averageRanks(values: readonly number[]): number[] {
  requireFinite('values', values);
  return ranks(values as number[], { method: 'average' });
}

/**
 * Mean rank of each method over cells: `errors[c][m]` is method m's error in
 * cell c (lower is better, rank 1); ties share average ranks within a cell.
 */
export function meanRanks(errors: readonly (readonly number[])[]): number[] {
  if (errors.length === 0) throw new InputError('errors', 'no cells; give at least one row');
  const methods = errors[0].length;
  const sums = new Array<number>(methods).fill(0);
  errors.forEach((row, c) => {
    if (row.length !== methods) {
      throw new InputError(
        'errors',
        `cell ${c} has ${row.length} methods, cell 0 has ${methods}; give every method in every cell`,
      );
    }
    requireFinite(`errors[${c}]`, row);
    averageRanks(row).forEach((r, m) => (sums[m] += r));
  });
  return sums.map((s) => s / errors.length);
}
