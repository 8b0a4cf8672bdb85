/**
 * A small typed builder over `onnx-proto`, and ONNX model (de)serialization.
 *
 * Models use IR version 8 and the default-domain opset 13, which every
 * onnxruntime release since 1.8 loads.
 */
import { onnx } from 'onnx-proto';

/** IR version written into every model. */
export const ONNX_IR_VERSION = 8;
/** Default-domain opset written into every model. */
export const ONNX_OPSET = 13;

/** Element types this package writes. */
export type OnnxElemType = 'float32' | 'float64' | 'int64' | 'bool';

const ELEM_TYPE_CODE: Record<OnnxElemType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  float64: onnx.TensorProto.DataType.DOUBLE,
  int64: onnx.TensorProto.DataType.INT64,
  bool: onnx.TensorProto.DataType.BOOL,
};

/** The ONNX `TensorProto.DataType` code of an element type. */
export function elemTypeCode(t: OnnxElemType): number {
  return ELEM_TYPE_CODE[t];
}

/** The element type of an ONNX `TensorProto.DataType` code, if this package writes it. */
export function elemTypeOfCode(code: number): OnnxElemType | undefined {
  return (Object.keys(ELEM_TYPE_CODE) as OnnxElemType[]).find((k) => ELEM_TYPE_CODE[k] === code);
}

/**
 * A node attribute: an integer (`INT`), a list of integers (`INTS`), a string
 * (`STRING`) or `{ float }` (`FLOAT`; tagged so `1` and `1.0` are not confused).
 */
export type OnnxAttributeValue = number | readonly number[] | string | { readonly float: number };

/** Host data of an initializer. */
export type InitializerData = Float64Array | Float32Array | readonly number[];

function valueInfo(
  name: string,
  type: OnnxElemType,
  shape: readonly number[],
): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ELEM_TYPE_CODE[type],
        shape: { dim: shape.map((d) => ({ dimValue: d })) },
      },
    },
  };
}

function attribute(name: string, v: OnnxAttributeValue): onnx.IAttributeProto {
  const A = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') {
    if (!Number.isInteger(v))
      throw new Error(
        `attribute ${name}: ${v} is not an integer; pass { float: ${v} } for a FLOAT attribute`,
      );
    return { name, type: A.INT, i: v };
  }
  if (typeof v === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: A.INTS, ints: [...(v as readonly number[])] };
  return { name, type: A.FLOAT, f: (v as { float: number }).float };
}

function rawBytes(type: OnnxElemType, data: InitializerData): Uint8Array {
  let typed: ArrayBufferView;
  switch (type) {
    case 'float64':
      typed = data instanceof Float64Array ? data : Float64Array.from(data);
      break;
    case 'float32':
      typed = data instanceof Float32Array ? data : Float32Array.from(data);
      break;
    case 'int64':
      typed = BigInt64Array.from(Array.from(data, (x) => BigInt(x)));
      break;
    case 'bool':
      typed = Uint8Array.from(Array.from(data, (x) => (x ? 1 : 0)));
      break;
  }
  // Copy: the view may share a larger buffer; TensorProto.raw_data is little-endian, as is every host we run on.
  return new Uint8Array(typed.buffer.slice(typed.byteOffset, typed.byteOffset + typed.byteLength));
}

/**
 * Builds one ONNX graph. Value names are generated (`_v0`, `_c1`, ...) unless
 * given; every method returns the name of the value it defines.
 *
 * @example
 * const b = new OnnxGraphBuilder('tanh_layer');
 * const x = b.input('x', 'float64', [2, 3]);
 * const w = b.initializer('float64', [3, 1], [1, 2, 3]);
 * b.output(b.node('Tanh', [b.node('MatMul', [x, w])]), 'float64', [2, 1]);
 * const bytes = saveOnnx(b.build());
 */
export class OnnxGraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private counter = 0;

  /** @param name - the graph's name, stored in the model */
  constructor(private readonly name: string) {}

  /** A fresh value name. */
  fresh(prefix = '_v'): string {
    return `${prefix}${this.counter++}`;
  }

  /** Declares a graph input (a value fed at run time). */
  input(name: string, type: OnnxElemType, shape: readonly number[]): string {
    this.inputs.push(valueInfo(name, type, shape));
    return name;
  }

  /** Adds a constant tensor stored in the model. */
  initializer(
    type: OnnxElemType,
    shape: readonly number[],
    data: InitializerData,
    name = this.fresh('_c'),
  ): string {
    const size = shape.reduce((a, d) => a * d, 1);
    if (data.length !== size)
      throw new Error(
        `initializer ${name}: ${data.length} values for shape [${shape.join(', ')}] (needs ${size})`,
      );
    this.initializers.push({
      name,
      dataType: ELEM_TYPE_CODE[type],
      dims: [...shape],
      rawData: rawBytes(type, data),
    });
    return name;
  }

  /** Adds a 1-D int64 constant (shapes, axes, indices). */
  int64s(values: readonly number[]): string {
    return this.initializer('int64', [values.length], values);
  }

  /** Adds a node with one output and returns that output's name. */
  node(
    opType: string,
    inputs: readonly string[],
    attributes: Record<string, OnnxAttributeValue> = {},
    output = this.fresh(),
  ): string {
    this.nodes.push({
      opType,
      input: [...inputs],
      output: [output],
      name: `${opType}_${this.nodes.length}`,
      attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)),
    });
    return output;
  }

  /** Declares `name` a graph output of the given type and shape. */
  output(name: string, type: OnnxElemType, shape: readonly number[]): void {
    this.outputs.push(valueInfo(name, type, shape));
  }

  /** The model: IR version {@link ONNX_IR_VERSION}, opset {@link ONNX_OPSET}. */
  build(docString = ''): onnx.ModelProto {
    return onnx.ModelProto.create({
      irVersion: ONNX_IR_VERSION,
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      producerName: '@sublora/backend-onnxruntime',
      docString,
      graph: {
        name: this.name,
        node: this.nodes,
        input: this.inputs,
        output: this.outputs,
        initializer: this.initializers,
      },
    });
  }
}

/** Serializes a model to the bytes of a `.onnx` file. */
export function encodeModel(model: onnx.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

/** A protobuf 64-bit integer (decoded as a number or a Long object) as a number. */
export function int64ToNumber(v: number | { toNumber(): number } | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

/** A graph input or output as read back from a model. */
export interface OnnxValueSignature {
  readonly name: string;
  readonly type: OnnxElemType | 'other';
  readonly shape: readonly number[];
}

/** The inputs and outputs of a model, with static shapes (`-1` for a symbolic dimension). */
export function modelSignature(model: onnx.IModelProto): {
  inputs: OnnxValueSignature[];
  outputs: OnnxValueSignature[];
} {
  const initializerNames = new Set((model.graph?.initializer ?? []).map((t) => t.name));
  const describe = (v: onnx.IValueInfoProto): OnnxValueSignature => {
    const t = v.type?.tensorType;
    return {
      name: v.name ?? '',
      type: elemTypeOfCode(t?.elemType ?? 0) ?? 'other',
      shape: (t?.shape?.dim ?? []).map((d) =>
        d.dimValue === null || d.dimValue === undefined ? -1 : int64ToNumber(d.dimValue),
      ),
    };
  };
  return {
    inputs: (model.graph?.input ?? []).filter((v) => !initializerNames.has(v.name)).map(describe),
    outputs: (model.graph?.output ?? []).map(describe),
  };
}

/**
 * Decodes the bytes of a `.onnx` file.
 * @throws Error (one line) when the bytes are not an ONNX model with a graph.
 */
export function loadOnnx(bytes: Uint8Array): onnx.ModelProto {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
    throw new Error('onnx bytes: expected a non-empty Uint8Array (the contents of a .onnx file)');
  }
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new Error(
      `onnx bytes: not an ONNX model (${(e instanceof Error ? e.message : String(e)).split('\n')[0]}); is the file truncated?`,
      { cause: e },
    );
  }
  if (
    !model.graph ||
    ((model.graph.node ?? []).length === 0 && (model.graph.output ?? []).length === 0)
  ) {
    throw new Error('onnx bytes: the model has no graph; pass the bytes of a .onnx file');
  }
  return model;
}

export { onnx };
