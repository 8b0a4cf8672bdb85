/**
 * Loading the numeric inputs of the CLI (`--sigma`, `--grad`, `--hessian`).
 *
 * An input spec is one of:
 * - inline JSON: `'[1, 2.1]'`, `'[[2, -2], [-2, 2]]'`, `'{"data": [...], "size": 2}'`;
 * - a `.json` file holding the same;
 * - a `.npy` file (any numeric dtype numpy writes but bool; C or Fortran order);
 * - `file.safetensors:name`, one tensor of a safetensors file.
 *
 * Every failure is an {@link InputError} whose input is the flag (and the
 * file, when there is one), so the CLI prints one line naming what to fix.
 */
import { InputError, toFloat64Matrix, toFloat64Vector } from '@sublora/tensor';
import {
  readNpyLayout,
  readRange,
  readSafetensorsLayout,
  readTensorData,
  withRegularFile,
} from './read-tensor-file';

/** A loaded input before it is checked as a vector or a matrix. */
export type LoadedInput =
  | { readonly kind: 'json'; readonly label: string; readonly value: unknown }
  | {
      readonly kind: 'tensor';
      readonly label: string;
      readonly shape: readonly number[];
      readonly data: Float64Array | Float32Array;
    };

const SAFETENSORS_SUFFIX = '.safetensors';
const FORMATS_HINT =
  "pass inline JSON such as '[1, 2.1]', a .json or .npy file, or file.safetensors:TENSOR";

function parseJson(label: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const why = String((e as Error).message).split('\n')[0];
    throw new InputError(label, `is not valid JSON (${why}); ${FORMATS_HINT}`);
  }
}

/** Booleans are not numbers: a mask saved by mistake must not become 1/0 values. */
function refuseBooleans(label: string, dtype: string): void {
  if (dtype === 'bool' || dtype === 'BOOL') {
    throw new InputError(
      label,
      `holds booleans (dtype ${dtype}), not numbers; save the values as floats, e.g. a.astype(numpy.float64)`,
    );
  }
}

function loadNpy(label: string, file: string, cwd: string): LoadedInput {
  return withRegularFile(label, file, cwd, (f) => {
    const layout = readNpyLayout(f);
    refuseBooleans(label, layout.dtype);
    return { kind: 'tensor', label, shape: layout.shape, data: readTensorData(f, layout) };
  });
}

function loadSafetensors(label: string, file: string, tensor: string, cwd: string): LoadedInput {
  return withRegularFile(label, file, cwd, (f) => {
    const { tensors } = readSafetensorsLayout(f);
    const names = Object.keys(tensors);
    const available =
      names.length > 0 ? `available: ${names.join(', ')}` : 'the file holds no tensors';
    if (tensor === '') {
      throw new InputError(label, `name the tensor as ${file}:TENSOR; ${available}`);
    }
    if (!Object.prototype.hasOwnProperty.call(tensors, tensor)) {
      throw new InputError(label, `'${file}' has no tensor '${tensor}'; ${available}`);
    }
    const layout = tensors[tensor];
    refuseBooleans(label, layout.dtype);
    return { kind: 'tensor', label, shape: layout.shape, data: readTensorData(f, layout) };
  });
}

/**
 * JSON files are UTF-8 text; a leading byte-order mark (which some Windows
 * editors write) is dropped, and bytes that are not UTF-8 are refused.
 */
function loadJsonFile(label: string, file: string, cwd: string): LoadedInput {
  const text = withRegularFile(label, file, cwd, (f) => {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(readRange(f, 0, f.size));
    } catch {
      throw new InputError(label, 'is not UTF-8 text; save the file as UTF-8 JSON');
    }
  });
  return { kind: 'json', label, value: parseJson(label, text) };
}

/**
 * Reads the input given to `flag` (e.g. `--sigma`) from `spec`, resolving
 * file names against `cwd`.
 */
export function loadInput(flag: string, spec: string, cwd: string): LoadedInput {
  const trimmed = spec.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    return { kind: 'json', label: flag, value: parseJson(flag, trimmed) };
  }
  const label = `${flag} ${spec}`;
  const lower = spec.toLowerCase();
  const st = lower.lastIndexOf(SAFETENSORS_SUFFIX);
  if (
    st >= 0 &&
    (st + SAFETENSORS_SUFFIX.length === spec.length || spec[st + SAFETENSORS_SUFFIX.length] === ':')
  ) {
    const file = spec.slice(0, st + SAFETENSORS_SUFFIX.length);
    return loadSafetensors(label, file, spec.slice(file.length + 1), cwd);
  }
  if (lower.endsWith('.npy')) return loadNpy(label, spec, cwd);
  if (lower.endsWith('.json')) return loadJsonFile(label, spec, cwd);
  throw new InputError(
    flag,
    `'${spec}' is neither JSON nor a .json, .npy or .safetensors file; ${FORMATS_HINT}`,
  );
}

function isNumberArray(v: unknown): v is number[] {
  return (
    Array.isArray(v) && v.every((x) => !Array.isArray(x) && (x === null || typeof x !== 'object'))
  );
}

/** What a JSON value is, for messages: `the string "1"`, `null`, `true`. */
function describeJson(x: unknown): string {
  if (typeof x === 'string') return `the string ${JSON.stringify(x)}`;
  if (typeof x === 'boolean') return `the boolean ${String(x)}`;
  return String(x);
}

/**
 * Refuses JSON entries that are not numbers by what they are (`entry 0 is
 * the string "1"`), before the numeric check would print them as `1`.
 * `at` names an entry from its index: `entry 3`, `row 1, entry 0`.
 */
function assertJsonNumbers(
  label: string,
  values: readonly unknown[],
  at: (k: number) => string,
): void {
  const k = values.findIndex((x) => typeof x !== 'number');
  if (k >= 0) {
    throw new InputError(
      label,
      `${at(k)} is ${describeJson(values[k])}, expected a number; write numbers without quotes, e.g. [1, 2.1]`,
    );
  }
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Checks a loaded input as a vector of finite numbers (of `expectedLength`
 * when given) and copies it to a `Float64Array`.
 */
export function toVector(input: LoadedInput, expectedLength?: number): Float64Array {
  if (input.kind === 'tensor') {
    if (input.shape.length !== 1) {
      throw new InputError(
        input.label,
        `has shape ${shapeText(input.shape)} but a 1-D vector is required; save it flattened (e.g. t.reshape(-1))`,
      );
    }
    return toFloat64Vector(input.label, input.data, expectedLength);
  }
  const v = input.value;
  const values =
    v !== null && typeof v === 'object' && !Array.isArray(v) && 'data' in v ? v.data : v;
  if (!isNumberArray(values)) {
    throw new InputError(
      input.label,
      'expected a flat JSON array of numbers such as [1, 2.1] (or { "data": [...] })',
    );
  }
  assertJsonNumbers(input.label, values, (k) => `entry ${k}`);
  return toFloat64Vector(input.label, values as number[], expectedLength);
}

/** Checks `--sigma` as a vector with at least one value (every command needs one). */
export function toSigma(input: LoadedInput): Float64Array {
  const sigma = toVector(input);
  if (sigma.length === 0) {
    throw new InputError(input.label, 'is empty; pass at least one singular value');
  }
  return sigma;
}

/**
 * Checks a loaded input as a square matrix of finite numbers (of
 * `expectedSize` rows when given) and copies it to row-major `Float64Array`.
 */
export function toMatrix(
  input: LoadedInput,
  expectedSize?: number,
): { data: Float64Array; size: number } {
  if (input.kind === 'tensor') {
    if (input.shape.length !== 2 || input.shape[0] !== input.shape[1]) {
      throw new InputError(
        input.label,
        `has shape ${shapeText(input.shape)} but a square matrix [r, r] is required`,
      );
    }
    // the array was read for this input alone: use it in place (a 2 GB Hessian is not copied)
    return toFloat64Matrix(input.label, { data: input.data, size: input.shape[0] }, expectedSize, {
      copy: false,
    });
  }
  const v = input.value;
  if (Array.isArray(v) && v.every((row) => isNumberArray(row))) {
    v.forEach((row: unknown[], i) =>
      assertJsonNumbers(input.label, row, (k) => `row ${i}, entry ${k}`),
    );
    return toFloat64Matrix(input.label, v as number[][], expectedSize);
  }
  if (v !== null && typeof v === 'object' && 'data' in v && 'size' in v && isNumberArray(v.data)) {
    assertJsonNumbers(input.label, v.data, (k) => `data entry ${k}`);
    return toFloat64Matrix(input.label, v as { data: number[]; size: number }, expectedSize);
  }
  throw new InputError(
    input.label,
    'expected a square matrix as rows [[...], [...]] or { "data": [row-major values], "size": r }',
  );
}
