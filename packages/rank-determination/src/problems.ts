/**
 * Input problems as values: the Left side of the fp-ts forms
 * (`determineRanksE`, `determineRanksSyncE`), which report every problem of
 * an input at once, and the bridge from checks that throw `InputError` (the
 * `@sublora/tensor` helpers) to that form.
 */
import * as E from 'fp-ts/Either';
import * as RNEA from 'fp-ts/ReadonlyNonEmptyArray';
import type * as TE from 'fp-ts/TaskEither';
import { InputError } from '@sublora/tensor';

/** Every problem found in a rank-determination input, at least one, in input order. */
export type InputProblems = RNEA.ReadonlyNonEmptyArray<InputError>;

/** Collects the problems of independent checks instead of stopping at the first. */
export const Validation = E.getApplicativeValidation(RNEA.getSemigroup<InputError>());

/** A check that throws `InputError`, as a validation. Other exceptions (bugs) propagate. */
export function attempt<A>(check: () => A): E.Either<InputProblems, A> {
  try {
    return E.right(check());
  } catch (e) {
    if (e instanceof InputError) return E.left(RNEA.of(e));
    throw e;
  }
}

/**
 * {@link attempt} for asynchronous work (reading tensors, backend products):
 * an `InputError` is a Left; anything else (a failing backend) rejects.
 */
export function attemptAsync<A>(work: () => Promise<A>): TE.TaskEither<InputProblems, A> {
  return async () => {
    try {
      return E.right(await work());
    } catch (e) {
      if (e instanceof InputError) return E.left(RNEA.of(e));
      throw e;
    }
  };
}

/** What the throwing entry points do with problems: throw the first, as they always did. */
export function throwFirst(problems: InputProblems): never {
  throw RNEA.head(problems);
}
