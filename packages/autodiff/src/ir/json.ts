/** JSON form of graphs (for debugging, storage and lowering) and a readable listing. */
import { Builder, type Value } from './builder';
import { GraphError, type Graph, type InputSpec, type Node, type Params } from './types';
import { spec } from './trace';

/** The JSON document of a graph (see IR.md). */
export interface GraphJSON {
  readonly format: 'sublora-autodiff-graph';
  readonly version: 1;
  readonly inputs: readonly InputSpec[];
  readonly nodes: readonly Node[];
  readonly outputs: readonly number[];
}

/** The JSON document of `g` (plain data; `JSON.stringify` it). */
export function toJSON(g: Graph): GraphJSON {
  return {
    format: 'sublora-autodiff-graph',
    version: 1,
    inputs: g.inputs.map((s) => ({ name: s.name, shape: [...s.shape], dtype: s.dtype })),
    nodes: g.nodes.map((n) => ({
      id: n.id,
      op: n.op,
      inputs: [...n.inputs],
      params: n.params,
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
        (n.params ?? {}) as Params,
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
    const s = JSON.stringify(v);
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
