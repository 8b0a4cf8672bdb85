/**
 * The one error type of this package.
 *
 * Every parse or serialize failure is a `FormatError` whose message is a single
 * line: what is wrong, where (a byte offset when the problem is in the input
 * bytes) and how to fix it. Callers that read files prefix the file name.
 */
export class FormatError extends Error {
  /** Byte offset in the input where the problem was found, when it has one. */
  readonly offset: number | undefined;
  constructor(message: string, offset?: number) {
    super(offset === undefined ? message : `at byte ${offset}: ${message}`);
    this.name = 'FormatError';
    this.offset = offset;
  }
}
