/** Test helper shared by the npy and safetensors tests. */
import { FormatError } from './index';

/**
 * Runs `f`, expects it to throw a one-line {@link FormatError} (matching
 * `pattern` when given) and returns the error.
 */
export function expectFormatError(f: () => unknown, pattern?: RegExp): FormatError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    expect((e as Error).message).not.toContain('\n');
    if (pattern) expect((e as Error).message).toMatch(pattern);
    return e as FormatError;
  }
  throw new Error('expected a FormatError');
}
