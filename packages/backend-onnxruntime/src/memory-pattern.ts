/**
 * Whether a session uses onnxruntime's memory pattern. With the pattern on
 * (onnxruntime's default) the first run records every allocation and later
 * runs take one block laid out from the record; for a big graph that block
 * comes on top of the arena the first run filled, so a process that
 * evaluates a big graph twice holds both. Measured on the w = 1000 Hessian
 * w.r.t. sigma (float64, `tools/bench` PINN loss, forward Laplacian): 1426
 * MiB resident after the first call, 2343 MiB from the second on with the
 * pattern, 1422 MiB without; the calls took 11.5-11.9 s with it and
 * 11.7-12.5 s without (one run each, shared 2-vCPU machine). Small graphs
 * (training steps) keep it: they run thousands of times, and their blocks are
 * small.
 */

/** Graphs whose largest tensor has at least this many elements run without the memory pattern. */
export const MEM_PATTERN_MAX_ELEMENTS = 1 << 20;

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
