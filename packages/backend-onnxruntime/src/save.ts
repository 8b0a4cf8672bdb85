/**
 * Saving and loading `.onnx` models. The functions take and return bytes;
 * {@link saveOnnxFile} and {@link loadOnnxFile} are the only ones that touch
 * the file system.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Graph } from '@sublora/autodiff';
import { lowerGraph } from './lower-graph';
import { OnnxGraphBuilder, encodeModel, loadOnnx, type onnx } from './onnx-model';

/** Something that can be written as an ONNX model: a model, a builder, or an autodiff graph (lowered first). */
export type OnnxSavable = onnx.IModelProto | OnnxGraphBuilder | Graph;

function isGraph(x: OnnxSavable): x is Graph {
  return (
    Array.isArray((x as Graph).nodes) &&
    Array.isArray((x as Graph).outputs) &&
    Array.isArray((x as Graph).inputs)
  );
}

/** The bytes of a `.onnx` file holding `model` (a builder is built first, a graph lowered with {@link lowerGraph}). */
export function saveOnnx(model: OnnxSavable): Uint8Array {
  if (model instanceof OnnxGraphBuilder) return encodeModel(model.build());
  return encodeModel(isGraph(model) ? lowerGraph(model) : model);
}

/**
 * I/O: writes `model` to `path` atomically (temporary file, then rename), so a
 * crash never leaves a truncated model behind.
 */
export function saveOnnxFile(path: string, model: OnnxSavable): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, saveOnnx(model));
  renameSync(tmp, path);
}

/** I/O: reads and decodes a `.onnx` file. */
export function loadOnnxFile(path: string): onnx.ModelProto {
  return loadOnnx(new Uint8Array(readFileSync(path)));
}
