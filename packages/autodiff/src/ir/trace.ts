/** Building graphs from functions: `spec`, `trace`, `call` (inlining). */
import { assertValidShape, type DType, type Shape } from '@sublora/tensor';
import { Builder, currentBuilder, Value, withBuilder } from './builder';
import { GraphError, type Graph, type InputSpec } from './types';

/** Describes one graph input. `dtype` defaults to float64. */
export function spec(name: string, shape: Shape, dtype: DType = 'float64'): InputSpec {
  assertValidShape(shape, `spec ${name}`);
  if (dtype !== 'float64' && dtype !== 'float32')
    throw new GraphError(`spec ${name}`, `dtype ${String(dtype)} is not float64 or float32`);
  return { name, shape: [...shape], dtype };
}

/**
 * Stages `fn` into a {@link Graph}: calls it once with one traced
 * {@link Value} per input spec and records every op it applies.
 * @example
 * const f = trace([spec('x', [3])], (x) => sum(tanh(x)));
 */
export function trace(
  inputs: readonly InputSpec[],
  fn: (...args: Value[]) => Value | readonly Value[],
): Graph {
  const builder = new Builder(inputs.map((s) => spec(s.name, s.shape, s.dtype)));
  const result = withBuilder(builder, () => fn(...builder.args));
  return builder.finish(result instanceof Value ? [result] : result);
}

/** Re-emits `graph`'s nodes in `builder`, bound to `args`; returns the values of every node. */
export function inlineNodes(builder: Builder, graph: Graph, args: readonly Value[]): Value[] {
  if (args.length !== graph.inputs.length) {
    throw new GraphError(
      'call',
      `graph takes ${graph.inputs.length} inputs (${graph.inputs.map((s) => s.name).join(', ')}) but got ${args.length}`,
    );
  }
  graph.inputs.forEach((s, i) => {
    const a = args[i];
    if (
      !(a instanceof Value) ||
      a.dtype !== s.dtype ||
      a.shape.length !== s.shape.length ||
      a.shape.some((d, k) => d !== s.shape[k])
    ) {
      throw new GraphError(
        'call',
        `input ${s.name} expects ${s.dtype}[${s.shape.join(',')}], got ${String(a)}`,
      );
    }
  });
  const vals: Value[] = [];
  for (const node of graph.nodes) {
    vals.push(
      node.op === 'input'
        ? args[node.params.index as number]
        : builder.emit(
            node.op,
            node.inputs.map((i) => vals[i]),
            node.params,
          ),
    );
  }
  return vals;
}

/** Inlines `graph` into the current trace; returns its outputs. */
export function call(graph: Graph, ...args: Value[]): Value[] {
  const builder = args[0] instanceof Value ? args[0].builder : currentBuilder('call');
  const vals = inlineNodes(builder, graph, args);
  return graph.outputs.map((id) => vals[id]);
}
