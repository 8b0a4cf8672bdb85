import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import * as E from 'fp-ts/Either';
import { catchFormatError } from './format-error';
import {
  FormatError,
  parseNpy,
  parseNpyE,
  parseNpyHeader,
  parseNpyHeaderE,
  parseSafetensors,
  parseSafetensorsE,
  parseSafetensorsHeader,
  parseSafetensorsHeaderE,
  serializeSafetensors,
} from './index';

/** What a throwing parser gives: its value, or its error's message and offset. */
function outcome(f: () => unknown): E.Either<{ message: string; offset?: number }, unknown> {
  try {
    return E.right(f());
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    return E.left({ message: (e as FormatError).message, offset: (e as FormatError).offset });
  }
}

/** The same for an Either-returning parser. */
function outcomeE(r: E.Either<FormatError, unknown>): ReturnType<typeof outcome> {
  return E.isLeft(r)
    ? E.left({ message: r.left.message, offset: r.left.offset })
    : E.right(r.right);
}

const npy = new Uint8Array(readFileSync(join(__dirname, 'fixtures', 'f8_fortran_3d.npy')));
const safetensors = serializeSafetensors(
  {
    a: { dtype: 'F64', shape: [2, 2], data: [1, 2, 3, 4] },
    b: { dtype: 'F32', shape: [3], data: [0.5, 1.5, 2.5] },
  },
  { step: '7' },
);

/** Every Either parser against its throwing form on one input. */
function agree(bytes: Uint8Array): void {
  expect(outcomeE(parseNpyE(bytes))).toEqual(outcome(() => parseNpy(bytes)));
  expect(outcomeE(parseNpyHeaderE(bytes, bytes.length))).toEqual(
    outcome(() => parseNpyHeader(bytes, bytes.length)),
  );
  expect(outcomeE(parseSafetensorsE(bytes))).toEqual(outcome(() => parseSafetensors(bytes)));
  expect(outcomeE(parseSafetensorsHeaderE(bytes, bytes.length))).toEqual(
    outcome(() => parseSafetensorsHeader(bytes, bytes.length)),
  );
}

describe('the Either parsers', () => {
  it('return the value of a good file', () => {
    const a = parseNpyE(npy);
    expect(E.isRight(a) && a.right.shape).toEqual([2, 3, 4]);
    const s = parseSafetensorsE(safetensors);
    expect(E.isRight(s) && s.right.metadata).toEqual({ step: '7' });
    expect(E.isRight(s) && Array.from(s.right.tensors.a.data)).toEqual([1, 2, 3, 4]);
  });

  it('agree with the throwing forms on every truncation (Left = the thrown FormatError)', () => {
    for (const bytes of [npy, safetensors]) {
      for (let cut = 0; cut <= bytes.length; cut++) agree(bytes.subarray(0, cut));
    }
  });

  it('agree with the throwing forms on garbled bytes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(npy, safetensors),
        fc.array(fc.record({ at: fc.nat(), value: fc.nat({ max: 255 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        (good, edits) => {
          const bytes = good.slice();
          for (const { at, value } of edits) bytes[at % bytes.length] = value;
          agree(bytes);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('let exceptions other than FormatError (bugs) propagate', () => {
    expect(() =>
      catchFormatError(() => {
        throw new TypeError('a bug');
      }),
    ).toThrow(TypeError);
    expect(catchFormatError(() => 1)).toEqual(E.right(1));
  });
});
