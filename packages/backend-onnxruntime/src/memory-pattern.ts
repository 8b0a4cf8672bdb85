/**
 * Whether a session uses onnxruntime's memory pattern. With the pattern on
 * (onnxruntime's default) the first run records every allocation and later
 * runs take one block laid out from the record; for a big graph that block
 * comes on top of the arena the first run filled, so a process that
 * evaluates a big graph twice holds both. Measured on the PINN benchmark's
 * Hessian w.r.t. sigma (float64, `tools/bench`; one run each on the shared
 * 2-vCPU machine):
 * - w = 1000, forward-Laplacian loss: 1426 MiB resident after the first
 *   call, 2343 MiB from the second on with the pattern, 1422 MiB without;
 *   calls 11.5-11.9 s with it, 11.7-12.5 s without. The nested-jvp loss
 *   (largest tensor 1024 x 1000): 1355 -> 2209 MiB with it.
 * - w = 256, nested-jvp loss (largest tensor 2 x 1024 x 256 = 2^19): 675
 *   MiB with it, 423-428 without; calls 494-531 ms with it (but about
 *   1000 ms for the second, which lays the block out), 497-540 ms without.
 * Small graphs (training steps; the w = 256 gradient's largest tensor is
 * 2^18) keep it: they run thousands of times and their blocks are small.
 */

/** Graphs whose largest tensor has at least this many elements run without the memory pattern. */
export const MEM_PATTERN_MAX_ELEMENTS = 1 << 19;

/**
 * The per-session `enableMemPattern` for a graph whose largest tensor has
 * `largestElements` elements: nothing (onnxruntime's default, or the
 * caller's `sessionOptions.enableMemPattern` when set) below
 * {@link MEM_PATTERN_MAX_ELEMENTS}, off from there on unless the caller set it.
 */
export function memPatternFor(
  callerSetting: boolean | undefined,
  largestElements: number,
): { enableMemPattern?: false } {
  return callerSetting === undefined && largestElements >= MEM_PATTERN_MAX_ELEMENTS
    ? { enableMemPattern: false }
    : {};
}
