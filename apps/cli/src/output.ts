/** JSON output shared by the commands. */
import type { CliIo } from './types';

/** JSON.stringify replacer that writes typed arrays as plain arrays. */
function plainArrays(_key: string, value: unknown): unknown {
  return ArrayBuffer.isView(value) && !(value instanceof DataView)
    ? Array.from(value as unknown as ArrayLike<number>)
    : value;
}

/** Writes `value` to stdout as one line of JSON (typed arrays as arrays). */
export function writeJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, plainArrays)}\n`);
}
