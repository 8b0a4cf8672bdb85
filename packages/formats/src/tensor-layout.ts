/**
 * Where a tensor's elements lie in a file and how to decode them: what a
 * header parser returns so that a caller holding a file (not its bytes) can
 * read the data in pieces, with positioned reads, straight into the decoded
 * array. This keeps the package pure (it never touches the file) while the
 * size limit is the caller's memory, not the largest buffer a read returns.
 */
import {
  allocateDecoded,
  decodeElementsInto,
  type DecodedData,
  type ElementType,
} from './element-codec';

/** The data of one tensor in a file, as its header describes it. */
export interface TensorLayout {
  readonly shape: number[];
  /** Number of elements (`prod(shape)`). */
  readonly count: number;
  /** Byte offset of the first element in the file. */
  readonly dataOffset: number;
  /** `count * element.bytes`. */
  readonly byteLength: number;
  readonly element: ElementType;
  readonly littleEndian: boolean;
  /** Elements stored column-major (npy `fortran_order: True`). */
  readonly fortranOrder: boolean;
}

/** A zeroed array of the type the parsers return for `layout` (`Float32Array` for float32, else `Float64Array`). */
export function allocateTensorData(layout: TensorLayout): DecodedData {
  return allocateDecoded(layout.element, layout.count);
}

/**
 * Decodes `chunk`, the file's bytes from `dataOffset + firstElement *
 * element.bytes` on (whole elements only), into `out` from index
 * `firstElement`. Error offsets are file offsets.
 */
export function decodeTensorChunk(
  layout: TensorLayout,
  chunk: Uint8Array,
  out: DecodedData,
  firstElement: number,
): void {
  const size = layout.element.bytes;
  const fileOffset = layout.dataOffset + firstElement * size;
  decodeElementsInto(
    chunk,
    0,
    Math.floor(chunk.length / size),
    layout.element,
    layout.littleEndian,
    out,
    firstElement,
    fileOffset,
  );
}

/** The decoded data in C (row-major) order: Fortran-order data is transposed, C order returned as is. */
export function finishTensorData(layout: TensorLayout, data: DecodedData): DecodedData {
  return layout.fortranOrder ? fortranToC(data, layout.shape) : data;
}

/** Reorders Fortran-order (column-major) data of `shape` into C order. */
function fortranToC(data: DecodedData, shape: readonly number[]): DecodedData {
  const k = shape.length;
  if (k < 2) return data;
  const out =
    data instanceof Float32Array ? new Float32Array(data.length) : new Float64Array(data.length);
  const fStride: number[] = [];
  for (let j = 0, s = 1; j < k; s *= shape[j], j++) fStride.push(s);
  const index = new Array<number>(k).fill(0);
  let f = 0;
  for (let c = 0; c < data.length; c++) {
    out[c] = data[f];
    for (let j = k - 1; j >= 0; j--) {
      index[j]++;
      f += fStride[j];
      if (index[j] < shape[j]) break;
      f -= fStride[j] * shape[j];
      index[j] = 0;
    }
  }
  return out;
}
