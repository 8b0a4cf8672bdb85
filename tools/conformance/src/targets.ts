/**
 * The backends a conformance run covers: the reference, tfjs on each engine,
 * and onnxruntime. Each is created through `@sublora/backends`, so a backend
 * package that appears later is picked up without changes here, and one that
 * cannot load is reported with its reason rather than skipped silently.
 */
import type { Backend } from '@sublora/tensor';
import { resolveBackend } from '@sublora/backends';

/** Every backend name a full run tries, in report order. */
export const ALL_TARGETS: readonly string[] = [
  'reference',
  'tfjs:node-gpu',
  'tfjs:node',
  'tfjs:wasm',
  'tfjs:cpu',
  'onnxruntime',
];

/** A backend to test, or the reason it is unavailable. */
export type Target =
  | { readonly name: string; readonly backend: Backend }
  | { readonly name: string; readonly reason: string };

/** Creates each named backend (default {@link ALL_TARGETS}); failures become reasons. */
export async function loadTargets(names: readonly string[] = ALL_TARGETS): Promise<Target[]> {
  const targets: Target[] = [];
  for (const name of names) {
    try {
      targets.push({ name, backend: await resolveBackend(name) });
    } catch (e) {
      const message = (e as { message?: unknown } | null)?.message;
      const text = typeof message === 'string' ? message : String(e);
      // Keep the cause and its install command; drop resolveBackend's framing.
      const reason = text
        .replace(/^backend: '[^']*' is not available: /, '')
        .replace(/ \(the default 'reference' backend needs nothing\)$/, '');
      targets.push({ name, reason });
    }
  }
  return targets;
}
