import * as E from 'fp-ts/Either';

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

/**
 * Runs a parsing step whose checks throw {@link FormatError}, and returns that
 * error as a Left: the parsers' checks stay plain statements, and their
 * exported forms return `Either`. Any other exception is a bug and propagates.
 */
export function catchFormatError<A>(step: () => A): E.Either<FormatError, A> {
  try {
    return E.right(step());
  } catch (e) {
    if (e instanceof FormatError) return E.left(e);
    throw e;
  }
}

/** The value of a parse, or its {@link FormatError} thrown: the throwing convenience forms. */
export function getOrThrow<A>(result: E.Either<FormatError, A>): A {
  if (E.isLeft(result)) throw result.left;
  return result.right;
}
