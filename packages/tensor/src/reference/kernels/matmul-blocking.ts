/** The packed GEMM's blocking ({@link ./matmul}): register tile, depth block, A block, B panel. */

/**
 * Micro-tile rows (A sliver height). 3 x 4 keeps the 12 accumulators, three A
 * values and one B value in x64's 16 float registers (a 4 x 4 tile has at
 * least 18 live values); the 4 x 4 tile ran 5-14% slower on the benchmark's
 * products, with bit-identical results.
 */
export const MR = 3;
/** Micro-tile columns (B sliver width). */
export const NR = 4;
/** Depth of one packed block: KC x NR float64 = 8 KiB, an L1-resident B sliver. */
export const KC = 256;
/** Rows of one packed A block (a multiple of MR): MC x KC float64 = 252 KiB (L2). */
export const MC = 126;
/** Columns of one packed B panel: KC x NC float64 = 4 MiB (L3). */
export const NC = 2048;
