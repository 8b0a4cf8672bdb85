/**
 * The files a case points the CLIs at: valid ones to pair with a bad
 * argument, and broken `.npy`, `.json` and safetensors files built byte by byte.
 */
import { serializeNpy, serializeSafetensors } from '@sublora/formats';

/** What a case's working directory holds under a name. */
export type FileSpec =
  | string
  | Uint8Array
  | { readonly fifo: true }
  | { readonly symlink: string }
  | { readonly dir: true };

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A float64 `.npy` file. */
export function npy(shape: number[], data: number[]): Uint8Array {
  return serializeNpy({ dtype: 'float64', shape, data });
}

/** An `.npy` file with the given `descr` and shape and `dataBytes` bytes of data. */
export function npyWith(descr: string, shape: string, dataBytes: number[], major = 1): Uint8Array {
  let text = `{'descr': ${descr}, 'fortran_order': False, 'shape': ${shape}, }`;
  const preamble = major === 1 ? 10 : 12;
  text += ' '.repeat(64 - ((preamble + text.length + 1) % 64)) + '\n';
  const out = new Uint8Array(preamble + text.length + dataBytes.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, text.length, true);
  else view.setUint32(8, text.length, true);
  out.set(encode(text), preamble);
  out.set(dataBytes, preamble + text.length);
  return out;
}

/** A safetensors file with a raw JSON header and data. */
export function safetensorsWith(header: unknown, data: number[] = []): Uint8Array {
  const json = JSON.stringify(header);
  const padded = json + ' '.repeat((8 - (json.length % 8)) % 8);
  const out = new Uint8Array(8 + padded.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded.length), true);
  out.set(encode(padded), 8);
  out.set(data, 8 + padded.length);
  return out;
}

/** The paper's toy example as a safetensors file (`sigma`, `grad`, `hessian`, and a 2-D `w`). */
export const TOY_SAFETENSORS = serializeSafetensors({
  sigma: { dtype: 'F64', shape: [2], data: [1, 2.1] },
  grad: { dtype: 'F64', shape: [2], data: [-0.2, 0.2] },
  hessian: { dtype: 'F64', shape: [2, 2], data: [2, -2, -2, 2] },
});

/** 8 bytes of a little-endian float64. */
export function f64(x: number): number[] {
  return Array.from(new Uint8Array(new Float64Array([x]).buffer));
}

/** 8 bytes of a little-endian int64. */
export function i64(x: bigint): number[] {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, x, true);
  return Array.from(b);
}

/** The bytes of `bytes` without its last `n`. */
export function cut(bytes: Uint8Array, n: number): Uint8Array {
  return bytes.slice(0, bytes.length - n);
}

/** `bytes` followed by `extra`. */
export function append(bytes: Uint8Array, extra: number[]): Uint8Array {
  const out = new Uint8Array(bytes.length + extra.length);
  out.set(bytes);
  out.set(extra, bytes.length);
  return out;
}
