/**
 * safetensors files, as bytes.
 *
 * Layout: an unsigned 64-bit little-endian header length `N`, then `N` bytes
 * of UTF-8 JSON (`{"__metadata__": {...}, "name": {"dtype": "F32", "shape":
 * [2, 3], "data_offsets": [begin, end]}, ...}`, padded with spaces to a
 * multiple of 8 bytes), then the data buffer. `data_offsets` are relative to
 * the start of the buffer; the tensors must tile the buffer exactly (sorted by
 * offset, each starting where the previous one ends, the last ending at the end
 * of the file), each range holding `prod(shape) * itemsize` little-endian bytes
 * in row-major order.
 *
 * Reading supports F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8
 * and BOOL. Decoded `data` is a `Float32Array` for F32 and a `Float64Array`
 * for everything else (exact; 64-bit integers beyond +-2^53 are rejected).
 * Writing supports F32 and F64 and follows the reference implementation:
 * tensors ordered by dtype size (largest first) then name, `__metadata__`
 * first, header padded with spaces to 8-byte alignment.
 */
import {
  checkShapeAndData,
  elementCount,
  encodeFloats,
  type DecodedData,
  type ElementType,
} from './element-codec';
import * as E from 'fp-ts/Either';
import { pipe } from 'fp-ts/function';
import { FormatError, catchFormatError, getOrThrow } from './format-error';
import { allocateTensorData, decodeTensorChunk, type TensorLayout } from './tensor-layout';

/** Element types readable from safetensors files. */
export type SafetensorsDType =
  | 'F64'
  | 'F32'
  | 'F16'
  | 'BF16'
  | 'I64'
  | 'I32'
  | 'I16'
  | 'I8'
  | 'U64'
  | 'U32'
  | 'U16'
  | 'U8'
  | 'BOOL';

/** One decoded tensor; `data` is row-major (see the module comment for its array type). */
export interface SafetensorsTensor {
  readonly dtype: SafetensorsDType;
  readonly shape: number[];
  readonly data: DecodedData;
}

/** A parsed safetensors file. */
export interface SafetensorsFile {
  readonly tensors: Record<string, SafetensorsTensor>;
  /** The `__metadata__` string map (empty when the file has none). */
  readonly metadata: Record<string, string>;
}

/** A tensor to write: row-major `data` of the given shape. */
export interface SafetensorsTensorInput {
  readonly dtype: 'F32' | 'F64';
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

const ELEMENT_TYPES: Record<SafetensorsDType, ElementType> = {
  F64: { kind: 'f', bytes: 8 },
  F32: { kind: 'f', bytes: 4 },
  F16: { kind: 'f', bytes: 2 },
  BF16: { kind: 'bf', bytes: 2 },
  I64: { kind: 'i', bytes: 8 },
  I32: { kind: 'i', bytes: 4 },
  I16: { kind: 'i', bytes: 2 },
  I8: { kind: 'i', bytes: 1 },
  U64: { kind: 'u', bytes: 8 },
  U32: { kind: 'u', bytes: 4 },
  U16: { kind: 'u', bytes: 2 },
  U8: { kind: 'u', bytes: 1 },
  BOOL: { kind: 'b', bytes: 1 },
};

const METADATA_KEY = '__metadata__';
/** The reference implementation refuses larger headers. */
const MAX_HEADER_LENGTH = 100_000_000;
const HEADER_START = 8;

interface TensorEntry {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

function parseHeaderJson(bytes: Uint8Array, headerLength: number): Record<string, unknown> {
  if (bytes.length < HEADER_START + headerLength) {
    throw new FormatError(
      `safetensors header of ${headerLength} bytes was not passed whole (${bytes.length - HEADER_START} bytes given); pass the file's first ${HEADER_START + headerLength} bytes`,
      bytes.length,
    );
  }
  const headerEnd = HEADER_START + headerLength;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(
      bytes.subarray(HEADER_START, headerEnd),
    );
  } catch {
    throw new FormatError(
      'safetensors header is not valid UTF-8; the file is garbled or not safetensors',
      HEADER_START,
    );
  }
  if (!text.startsWith('{')) {
    throw new FormatError(
      "safetensors header does not start with '{'; the file is garbled or not safetensors",
      HEADER_START,
    );
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    const position = /position (\d+)/.exec(String((e as Error).message));
    throw new FormatError(
      `safetensors header is not valid JSON (${String((e as Error).message).split('\n')[0]}); the file is garbled or truncated`,
      HEADER_START + (position ? Number(position[1]) : 0),
    );
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new FormatError(
      'safetensors header is not a JSON object; the file is garbled or not safetensors',
      HEADER_START,
    );
  }
  return header as Record<string, unknown>;
}

function parseMetadata(value: unknown): Record<string, string> {
  if (
    value === null ||
    typeof value !== 'object' ||
    Array.isArray(value) ||
    !Object.values(value).every((v) => typeof v === 'string')
  ) {
    throw new FormatError(
      `safetensors ${METADATA_KEY} must map strings to strings; re-save with string values`,
      HEADER_START,
    );
  }
  return Object.fromEntries(Object.entries(value as Record<string, string>));
}

function parseEntry(name: string, info: unknown): TensorEntry {
  const where = `safetensors tensor '${name}'`;
  if (info === null || typeof info !== 'object' || Array.isArray(info)) {
    throw new FormatError(`${where} is not a JSON object; the header is garbled`, HEADER_START);
  }
  const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
  if (typeof dtype !== 'string' || !(dtype in ELEMENT_TYPES)) {
    throw new FormatError(
      `${where} has unsupported dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(ELEMENT_TYPES).join(', ')}); convert it to float32 or float64 before saving`,
      HEADER_START,
    );
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    throw new FormatError(
      `${where} shape ${JSON.stringify(shape)} is not a list of non-negative integers; the header is garbled`,
      HEADER_START,
    );
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every(isCount) ||
    offsets[0] > offsets[1]
  ) {
    throw new FormatError(
      `${where} data_offsets ${JSON.stringify(offsets)} is not [begin, end] with 0 <= begin <= end; the header is garbled`,
      HEADER_START,
    );
  }
  return {
    name,
    dtype: dtype as SafetensorsDType,
    shape: shape as number[],
    begin: offsets[0],
    end: offsets[1],
  };
}

/** Checks that the entries tile the data buffer exactly, as the reference reader does. */
function checkTiling(entries: TensorEntry[], dataStart: number, bufferLength: number): void {
  let expectedBegin = 0;
  for (const e of entries) {
    const where = `safetensors tensor '${e.name}' (data_offsets [${e.begin}, ${e.end}])`;
    if (e.begin !== expectedBegin) {
      throw new FormatError(
        `${where} starts at buffer offset ${e.begin} but the previous tensor ends at ${expectedBegin}; offsets must be contiguous, the header is garbled`,
        dataStart + Math.min(e.begin, expectedBegin),
      );
    }
    const needed = elementCount(e.shape) * ELEMENT_TYPES[e.dtype].bytes;
    if (e.end - e.begin !== needed) {
      throw new FormatError(
        `${where} spans ${e.end - e.begin} bytes but ${e.dtype} shape [${e.shape.join(', ')}] needs ${needed}; the header is garbled`,
        dataStart + e.begin,
      );
    }
    if (e.end > bufferLength) {
      throw new FormatError(
        `${where} ends past the ${bufferLength}-byte data buffer; the file is truncated, re-copy or re-save it`,
        dataStart + bufferLength,
      );
    }
    expectedBegin = e.end;
  }
  if (expectedBegin !== bufferLength) {
    throw new FormatError(
      `safetensors data buffer has ${bufferLength - expectedBegin} bytes after the last tensor; the file is garbled or the header is wrong`,
      dataStart + expectedBegin,
    );
  }
}

/** Bytes to pass to {@link safetensorsHeaderEnd}: the 8-byte header length. */
export const SAFETENSORS_PREFIX_BYTES = HEADER_START;

/** Where one tensor's data lies in a safetensors file, and its dtype. */
export interface SafetensorsTensorLayout extends TensorLayout {
  readonly dtype: SafetensorsDType;
}

/** The header of a safetensors file: every tensor's layout and the metadata. */
export interface SafetensorsLayout {
  readonly tensors: Record<string, SafetensorsTensorLayout>;
  readonly metadata: Record<string, string>;
}

/**
 * Where the header of a safetensors file of `fileLength` bytes ends (= where
 * its data buffer starts), from its first {@link SAFETENSORS_PREFIX_BYTES} bytes.
 * @throws {@link FormatError} when the declared header length cannot be right
 */
export function safetensorsHeaderEnd(prefix: Uint8Array, fileLength: number): number {
  if (prefix.length < HEADER_START || fileLength < HEADER_START) {
    const have = Math.min(prefix.length, fileLength);
    throw new FormatError(
      `safetensors file is truncated: it has ${have} bytes, fewer than the 8-byte header length; re-copy or re-save it`,
      have,
    );
  }
  const declared = new DataView(prefix.buffer, prefix.byteOffset, HEADER_START).getBigUint64(
    0,
    true,
  );
  const available = fileLength - HEADER_START;
  if (declared > BigInt(Math.min(available, MAX_HEADER_LENGTH))) {
    const why =
      declared > BigInt(MAX_HEADER_LENGTH)
        ? `exceeds the ${MAX_HEADER_LENGTH}-byte limit`
        : `exceeds the ${available} bytes that follow`;
    throw new FormatError(
      `safetensors header length ${declared} (bytes 0-7) ${why}; the file is truncated or not safetensors`,
      0,
    );
  }
  return HEADER_START + Number(declared);
}

/**
 * Parses the header of a safetensors file of `fileLength` bytes from `head`,
 * its first {@link safetensorsHeaderEnd} bytes (or more), and checks that the
 * tensors tile the data buffer exactly: every tensor's layout and the
 * metadata, or a {@link FormatError} on truncated, garbled or unsupported
 * input (the primary form; {@link parseSafetensorsHeader} throws instead).
 * Read a tensor's data with {@link decodeTensorChunk}; {@link parseSafetensorsE}
 * does all of it for bytes in memory.
 */
export function parseSafetensorsHeaderE(
  head: Uint8Array,
  fileLength: number,
): E.Either<FormatError, SafetensorsLayout> {
  return catchFormatError(() => readSafetensorsHeader(head, fileLength));
}

/**
 * {@link parseSafetensorsHeaderE} for callers that want a value or an exception.
 * @throws {@link FormatError} on truncated, garbled or unsupported input
 */
export function parseSafetensorsHeader(head: Uint8Array, fileLength: number): SafetensorsLayout {
  return getOrThrow(parseSafetensorsHeaderE(head, fileLength));
}

function readSafetensorsHeader(head: Uint8Array, fileLength: number): SafetensorsLayout {
  const dataStart = safetensorsHeaderEnd(head, fileLength);
  const header = parseHeaderJson(head, dataStart - HEADER_START);
  let metadata: Record<string, string> = {};
  const entries: TensorEntry[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === METADATA_KEY) metadata = parseMetadata(info);
    else entries.push(parseEntry(name, info));
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  checkTiling(entries, dataStart, fileLength - dataStart);
  const tensors = entries.map((e): [string, SafetensorsTensorLayout] => {
    const element = ELEMENT_TYPES[e.dtype];
    const count = elementCount(e.shape);
    return [
      e.name,
      {
        dtype: e.dtype,
        shape: e.shape,
        count,
        dataOffset: dataStart + e.begin,
        byteLength: count * element.bytes,
        element,
        littleEndian: true,
        fortranOrder: false,
      },
    ];
  });
  return { tensors: Object.fromEntries(tensors), metadata };
}

/**
 * Parses the bytes of a safetensors file: its tensors and metadata, or a
 * {@link FormatError} on truncated, garbled or unsupported input (the primary
 * form; {@link parseSafetensors} throws instead).
 */
export function parseSafetensorsE(bytes: Uint8Array): E.Either<FormatError, SafetensorsFile> {
  return pipe(
    parseSafetensorsHeaderE(bytes, bytes.length),
    E.chain((layout) =>
      catchFormatError(() => {
        const tensors = Object.entries(layout.tensors).map(
          ([name, t]): [string, SafetensorsTensor] => {
            const data = allocateTensorData(t);
            decodeTensorChunk(
              t,
              bytes.subarray(t.dataOffset, t.dataOffset + t.byteLength),
              data,
              0,
            );
            return [name, { dtype: t.dtype, shape: t.shape, data }];
          },
        );
        return { tensors: Object.fromEntries(tensors), metadata: layout.metadata };
      }),
    ),
  );
}

/**
 * {@link parseSafetensorsE} for callers that want a value or an exception.
 * @throws {@link FormatError} on truncated, garbled or unsupported input
 */
export function parseSafetensors(bytes: Uint8Array): SafetensorsFile {
  return getOrThrow(parseSafetensorsE(bytes));
}

/** JSON text of an object with its entries in the given order. */
function jsonObject(entries: [string, unknown][]): string {
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;
}

/**
 * Serializes tensors (and optional string metadata) as safetensors bytes.
 * @throws {@link FormatError} on an empty or reserved name, an unsupported
 *   dtype, data that does not match its shape, or non-string metadata
 */
export function serializeSafetensors(
  tensors: Record<string, SafetensorsTensorInput>,
  metadata?: Record<string, string>,
): Uint8Array {
  const names = Object.keys(tensors);
  for (const name of names) {
    const { dtype, shape, data } = tensors[name];
    if (name === '' || name === METADATA_KEY) {
      throw new FormatError(
        `tensor name ${JSON.stringify(name)} is reserved or empty; rename the tensor`,
      );
    }
    if (dtype !== 'F32' && dtype !== 'F64') {
      throw new FormatError(
        `tensor '${name}': cannot write dtype ${JSON.stringify(dtype)}; pass 'F32' or 'F64'`,
      );
    }
    checkShapeAndData(`tensor '${name}'`, shape, data);
  }
  if (metadata !== undefined && !Object.values(metadata).every((v) => typeof v === 'string')) {
    throw new FormatError('metadata values must be strings; JSON.stringify non-string values');
  }
  const bytesOf = (name: string): 4 | 8 => (tensors[name].dtype === 'F64' ? 8 : 4);
  names.sort((a, b) => bytesOf(b) - bytesOf(a) || (a < b ? -1 : a > b ? 1 : 0));

  // Written entry by entry: a plain object would move integer-like names first.
  const entries: string[] = [];
  if (metadata !== undefined && Object.keys(metadata).length > 0) {
    const sorted = Object.entries(metadata).sort(([a], [b]) => (a < b ? -1 : 1));
    entries.push(`${JSON.stringify(METADATA_KEY)}:${jsonObject(sorted)}`);
  }
  let offset = 0;
  const placed = names.map((name) => {
    const { dtype, shape, data } = tensors[name];
    const begin = offset;
    offset += data.length * bytesOf(name);
    const info = { dtype, shape: [...shape], data_offsets: [begin, offset] };
    entries.push(`${JSON.stringify(name)}:${JSON.stringify(info)}`);
    return { data, bytes: bytesOf(name), begin };
  });
  const json = new TextEncoder().encode(`{${entries.join(',')}}`);
  const headerLength = json.length + ((8 - (json.length % 8)) % 8);
  const dataStart = HEADER_START + headerLength;
  const out = new Uint8Array(dataStart + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, HEADER_START);
  out.fill(0x20, HEADER_START + json.length, dataStart);
  for (const p of placed)
    encodeFloats(p.data, { kind: 'f', bytes: p.bytes }, out, dataStart + p.begin);
  return out;
}
