/** JSON form of graphs (for debugging, storage and lowering) and a readable listing. */
import { Builder, type Value } from './builder';
import {
  GraphError,
  type Graph,
  type InputSpec,
  type Node,
  type ParamValue,
  type Params,
} from './types';
import { markSpecialNumbers, specialNumberName, type SpecialNumberName } from './special-numbers';
import { spec } from './trace';

/** The JSON document of a graph (see IR.md). */
export interface GraphJSON {
  readonly format: 'sublora-autodiff-graph';
  readonly version: 1;
  readonly inputs: readonly InputSpec[];
  readonly nodes: readonly NodeJSON[];
  readonly outputs: readonly number[];
}

/** A node as a document holds it: its params with {@link EncodedFloat}s where JSON needs them. */
export interface NodeJSON extends Omit<Node, 'params'> {
  readonly params: Readonly<
    Record<string, ParamValue | EncodedFloat | readonly (number | EncodedFloat)[]>
  >;
}

/**
 * How a document writes a param number that plain JSON cannot hold: `-0`
 * (JSON writes `0`) and NaN, Infinity, -Infinity (JSON writes `null`), e.g.
 * `{ "$float": "-Infinity" }`. Without it `x / -0` would come back as
 * `x / 0`, and a fill of Infinity as an invalid `null`.
 */
export interface EncodedFloat {
  readonly $float: SpecialNumberName;
}

/** `x`, or its {@link EncodedFloat} when JSON cannot hold it. */
function encodeNumber<T>(x: T): T | EncodedFloat {
  const name = specialNumberName(x);
  return name === undefined ? x : { $float: name };
}

/** `p` with every number JSON cannot hold (alone or in an array) as an {@link EncodedFloat}; `p` itself when there is none. */
function encodeParams(p: Params): NodeJSON['params'] {
  type Encoded = NodeJSON['params'][string];
  let out: Record<string, Encoded> | undefined;
  for (const [k, v] of Object.entries(p)) {
    const e: Encoded = Array.isArray(v)
      ? v.some((x) => specialNumberName(x) !== undefined)
        ? (v as readonly number[]).map(encodeNumber)
        : v
      : encodeNumber(v);
    if (e !== v) (out ??= { ...p })[k] = e;
  }
  return out ?? p;
}

const FLOATS: Record<string, number> = {
  '-0': -0,
  NaN: NaN,
  Infinity: Infinity,
  '-Infinity': -Infinity,
};

function decodeFloat(x: unknown): unknown {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) return x;
  const keys = Object.keys(x);
  const tag = (x as { $float?: unknown }).$float;
  return keys.length === 1 && typeof tag === 'string' && Object.hasOwn(FLOATS, tag)
    ? FLOATS[tag]
    : x;
}

/** Params of a document with its {@link EncodedFloat}s decoded. */
function decodeParams(p: Record<string, unknown>): Params {
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(p)) {
    const d = Array.isArray(v)
      ? v.some((x) => typeof x === 'object' && x !== null)
        ? v.map(decodeFloat)
        : v
      : decodeFloat(v);
    if (d !== v) (out ??= { ...p })[k] = d;
  }
  return (out ?? p) as Params;
}

/**
 * The JSON document of `g` (plain data; `JSON.stringify` it). Param numbers
 * that JSON cannot hold (-0, NaN, the infinities) are written as
 * {@link EncodedFloat}s, which {@link fromJSON} reads back.
 */
export function toJSON(g: Graph): GraphJSON {
  return {
    format: 'sublora-autodiff-graph',
    version: 1,
    inputs: g.inputs.map((s) => ({ name: s.name, shape: [...s.shape], dtype: s.dtype })),
    nodes: g.nodes.map((n) => ({
      id: n.id,
      op: n.op,
      inputs: [...n.inputs],
      params: encodeParams(n.params),
      shape: [...n.shape],
      dtype: n.dtype,
    })),
    outputs: [...g.outputs],
  };
}

/**
 * Parses and validates a graph document (a string or parsed JSON): every node
 * is re-checked by its primitive's shape rule, and its stored shape/dtype must
 * agree. Throws a one-line {@link GraphError} naming the bad node.
 */
export function fromJSON(json: unknown): Graph {
  const doc = (typeof json === 'string' ? parseText(json) : json) as Partial<GraphJSON>;
  if (!doc || doc.format !== 'sublora-autodiff-graph' || doc.version !== 1) {
    throw new GraphError('fromJSON', 'not a sublora-autodiff-graph version 1 document');
  }
  if (!Array.isArray(doc.inputs) || !Array.isArray(doc.nodes) || !Array.isArray(doc.outputs)) {
    throw new GraphError('fromJSON', 'inputs, nodes and outputs must be arrays');
  }
  const b = new Builder(doc.inputs.map((s) => spec(s.name, s.shape, s.dtype)));
  const vals: Value[] = [];
  doc.nodes.forEach((n, k) => {
    if (!n || n.id !== k)
      throw new GraphError(
        'fromJSON',
        `node at position ${k} has id ${String(n?.id)}; ids must equal positions`,
      );
    if (n.op === 'input') {
      if (n.params?.index !== k || k >= b.args.length)
        throw new GraphError('fromJSON', `input node ${k} must be input ${k} and come first`);
      vals.push(b.args[k]);
      return;
    }
    if (k < b.args.length)
      throw new GraphError(
        'fromJSON',
        `node ${k} must be the input node of ${doc.inputs?.[k]?.name}`,
      );
    if (
      !Array.isArray(n.inputs) ||
      n.inputs.some((i: number) => !Number.isInteger(i) || i < 0 || i >= k)
    ) {
      throw new GraphError(
        'fromJSON',
        `node ${k} (${n.op}) has operands [${String(n.inputs)}]; they must be earlier node ids`,
      );
    }
    let v: Value;
    try {
      v = b.emit(
        n.op,
        n.inputs.map((i: number) => vals[i]),
        decodeParams((n.params ?? {}) as Record<string, unknown>),
      );
    } catch (e) {
      // an unknown op, or operands/params its primitive rejects: say which node of the document
      throw new GraphError('fromJSON', `node ${k}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (v.dtype !== n.dtype || v.shape.join(',') !== (n.shape ?? []).join(',')) {
      throw new GraphError(
        'fromJSON',
        `node ${k} (${n.op}) claims ${n.dtype}[${String(n.shape)}] but its shape rule gives ${v.dtype}[${v.shape.join(',')}]`,
      );
    }
    vals.push(v);
  });
  if (doc.outputs.some((id) => !Number.isInteger(id) || id < 0 || id >= vals.length)) {
    throw new GraphError('fromJSON', `outputs [${doc.outputs.join(',')}] must be node ids`);
  }
  return b.finish(doc.outputs.map((id) => vals[id]));
}

/** `JSON.parse` with a one-line error that says what was being read (a truncated file, say). */
function parseText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new GraphError(
      'fromJSON',
      `the text is not JSON (${e instanceof Error ? e.message : String(e)}); pass what JSON.stringify(toJSON(graph)) wrote, whole`,
    );
  }
}

function formatParams(p: Params): string {
  const entries = Object.entries(p).map(([k, v]) => {
    // special numbers come out as "\u0000-0" and so on: drop the quotes and the mark
    const s = JSON.stringify(v, markSpecialNumbers).replace(/"\\u0000([^"]*)"/g, '$1');
    return `${k}=${s.length > 40 ? s.slice(0, 37) + '...' : s}`;
  });
  return entries.length ? `[${entries.join(', ')}]` : '';
}

/** A readable listing, one node per line: `%3 = matmul[transposeA=false, ...](%1, %2) : float64[4,2]`. */
export function graphToString(g: Graph): string {
  const lines = g.nodes.map(
    (n) =>
      `%${n.id} = ${n.op}${formatParams(n.params)}(${n.inputs.map((i) => `%${i}`).join(', ')}) : ${n.dtype}[${n.shape.join(',')}]`,
  );
  lines.push(`return (${g.outputs.map((i) => `%${i}`).join(', ')})`);
  return lines.join('\n');
}
