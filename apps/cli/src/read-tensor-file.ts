/**
 * Reading `.npy` files and safetensors tensors from disk by positioned reads:
 * `@sublora/formats` parses the header from the file's first bytes, then the
 * data is read in pieces straight into the decoded array. A float64 Hessian
 * over 2 GiB (r >= about 16 400) is thus limited by memory, not by the
 * largest buffer Node's `readFileSync` returns.
 *
 * Only regular files are read: a FIFO or a device such as `/dev/zero` named
 * as an input would otherwise block or never end.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  FormatError,
  NPY_PREFIX_BYTES,
  SAFETENSORS_PREFIX_BYTES,
  allocateTensorData,
  decodeTensorChunk,
  finishTensorData,
  npyHeaderEnd,
  parseNpyHeader,
  parseSafetensorsHeader,
  safetensorsHeaderEnd,
  type DecodedData,
  type NpyLayout,
  type SafetensorsLayout,
  type TensorLayout,
} from '@sublora/formats';
import { InputError } from '@sublora/tensor';

/** Bytes read per call when decoding: small enough to stay far below any buffer limit. */
const PIECE_BYTES = 64 * 1024 * 1024;

/** An open regular file with its size. */
interface OpenFile {
  readonly fd: number;
  readonly size: number;
  readonly label: string;
}

/** Why a file cannot be opened or read, in words. */
function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOMEM' || e instanceof RangeError) return 'not enough memory for its data';
  return code ?? 'the read failed';
}

function kindOf(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Opens `file` (relative to `cwd`) for reading after checking it is a
 * regular file, runs `use`, and closes it. `O_NONBLOCK` keeps the open of a
 * FIFO from waiting for a writer; the type check then refuses it.
 */
export function withRegularFile<T>(
  label: string,
  file: string,
  cwd: string,
  use: (f: OpenFile) => T,
): T {
  let fd: number;
  try {
    fd = fs.openSync(path.resolve(cwd, file), fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    throw new InputError(label, `cannot read '${file}' (${reason(e)}); check the path`);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) {
      throw new InputError(
        label,
        `'${file}' is ${kindOf(stat)}, not a regular file; pass a file saved on disk`,
      );
    }
    return use({ fd, size: stat.size, label });
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads `length` bytes at `position` into `into` from `at`, in pieces; fails on a short read. */
function readExactly(
  f: OpenFile,
  into: Uint8Array,
  at: number,
  length: number,
  position: number,
): void {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(
      f.fd,
      into,
      at + done,
      Math.min(length - done, PIECE_BYTES),
      position + done,
    );
    if (n === 0) {
      throw new InputError(
        f.label,
        'the file shrank while it was read; read it again once it is written',
      );
    }
    done += n;
  }
}

/** The file's bytes `[start, start + length)`. */
export function readRange(f: OpenFile, start: number, length: number): Uint8Array {
  const out = new Uint8Array(Math.max(0, Math.min(length, f.size - start)));
  readExactly(f, out, 0, out.length, start);
  return out;
}

/** Runs a format parser, turning its {@link FormatError} into an {@link InputError} for `label`. */
export function parseWith<T>(label: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof FormatError) throw new InputError(label, e.message);
    throw e;
  }
}

/** Little-endian float64 in C order: bytes can go straight into the array's memory. */
function isNativeFloat64(layout: TensorLayout): boolean {
  return (
    layout.element.kind === 'f' &&
    layout.element.bytes === 8 &&
    layout.littleEndian &&
    new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f
  );
}

/** Reads and decodes the data `layout` describes, piece by piece, into one array. */
export function readTensorData(f: OpenFile, layout: TensorLayout): DecodedData {
  let data: DecodedData;
  try {
    data = allocateTensorData(layout);
  } catch (e) {
    throw new InputError(
      f.label,
      `holds ${layout.count} values (${layout.byteLength} bytes), ${reason(e)}; free memory or pass a smaller tensor`,
    );
  }
  if (isNativeFloat64(layout)) {
    readExactly(f, new Uint8Array(data.buffer), 0, layout.byteLength, layout.dataOffset);
  } else {
    const size = layout.element.bytes;
    const perPiece = Math.floor(PIECE_BYTES / size);
    const piece = new Uint8Array(Math.min(layout.byteLength, perPiece * size));
    for (let first = 0; first < layout.count; first += perPiece) {
      const n = Math.min(perPiece, layout.count - first);
      const chunk = piece.subarray(0, n * size);
      readExactly(f, chunk, 0, chunk.length, layout.dataOffset + first * size);
      parseWith(f.label, () => decodeTensorChunk(layout, chunk, data, first));
    }
  }
  return finishTensorData(layout, data);
}

/** The header of an open `.npy` file. */
export function readNpyLayout(f: OpenFile): NpyLayout {
  const end = parseWith(f.label, () => npyHeaderEnd(readRange(f, 0, NPY_PREFIX_BYTES)));
  return parseWith(f.label, () => parseNpyHeader(readRange(f, 0, end), f.size));
}

/** The header of an open safetensors file. */
export function readSafetensorsLayout(f: OpenFile): SafetensorsLayout {
  const end = parseWith(f.label, () =>
    safetensorsHeaderEnd(readRange(f, 0, SAFETENSORS_PREFIX_BYTES), f.size),
  );
  return parseWith(f.label, () => parseSafetensorsHeader(readRange(f, 0, end), f.size));
}
