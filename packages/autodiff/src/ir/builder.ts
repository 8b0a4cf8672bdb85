/**
 * Graph construction: a {@link Builder} appends nodes (checking each with its
 * primitive's shape rule) and hash-conses them, so structurally identical
 * subexpressions are built once (on-the-fly common-subexpression elimination).
 */
import type { DType, Shape } from '@sublora/tensor';
import { inferShape } from '../primitives/shape-rules';
import { GraphError, type Graph, type InputSpec, type Node, type Params } from './types';

/** A traced value: a node of the graph being built. Use it with the op functions. */
export class Value {
  /** @internal */
  constructor(
    readonly builder: Builder,
    readonly id: number,
    readonly shape: Shape,
    readonly dtype: DType,
  ) {}

  /** `%id: dtype[shape]`, for messages. */
  toString(): string {
    return `%${this.id}: ${this.dtype}[${this.shape.join(',')}]`;
  }
}

/**
 * Keys already computed, per params object. Transformations pass a node's
 * params through by reference, and a `constant` holding a w x w weight would
 * otherwise be serialized again on every rebuild (minutes for a w = 1000
 * Hessian graph). Params are never mutated, so the cache cannot go stale.
 */
const paramsKeyCache = new WeakMap<Params, string>();

/** Canonical JSON for params (keys sorted), used as part of hash-consing keys. */
export function paramsKey(params: Params): string {
  let key = paramsKeyCache.get(params);
  if (key === undefined) {
    const keys = Object.keys(params).sort();
    key = keys.map((k) => `${k}=${JSON.stringify(params[k])}`).join(';');
    paramsKeyCache.set(params, key);
  }
  return key;
}

/** Params keys longer than this are looked up without concatenation (see `Builder.emit`). */
const LONG_PARAMS_KEY = 1024;

/** Appends checked, hash-consed nodes; `finish` freezes them into a {@link Graph}. */
export class Builder {
  private readonly nodes: Node[] = [];
  private readonly values: Value[] = [];
  /** Hash-consing: `op(operand ids)` + params key, for short params keys. */
  private readonly memo = new Map<string, Value>();
  /** The same for long params keys: by `op(operand ids)`, then by the params key itself. */
  private readonly longMemo = new Map<string, Map<string, Value>>();
  /** The input values, in order. */
  readonly args: readonly Value[];

  constructor(readonly inputs: readonly InputSpec[]) {
    this.args = inputs.map((spec, index) => {
      const node: Node = {
        id: index,
        op: 'input',
        inputs: [],
        params: { index, name: spec.name },
        shape: [...spec.shape],
        dtype: spec.dtype,
      };
      this.nodes.push(node);
      const v = new Value(this, index, node.shape, node.dtype);
      this.values.push(v);
      return v;
    });
  }

  /** Applies primitive `op`; returns the existing value if the same node was built before. */
  emit(op: string, operands: readonly Value[], params: Params = {}): Value {
    for (const v of operands) {
      if (!(v instanceof Value)) {
        throw new GraphError(
          op,
          `operand ${String(v)} is not a traced Value; build it inside trace()`,
        );
      }
      if (v.builder !== this) {
        throw new GraphError(
          op,
          `operand ${v.toString()} belongs to another trace; use call(graph, ...) to combine graphs`,
        );
      }
    }
    const head = `${op}(${operands.map((v) => v.id).join(',')})`;
    const pkey = paramsKey(params);
    // A long key (a constant's data) is looked up as it is, not inside a fresh
    // concatenation: V8 keeps a string's hash on the string, so the same
    // params object hashes once, where a new concatenated key would be
    // flattened and hashed in full at every emit (most of the time of a
    // w = 1000 Hessian build).
    const long = pkey.length > LONG_PARAMS_KEY;
    const bucket = long ? this.longMemo.get(head) : undefined;
    const hit = long ? bucket?.get(pkey) : this.memo.get(head + pkey);
    if (hit) return hit;
    const aval = inferShape(op, operands, params);
    const id = this.nodes.length;
    this.nodes.push({
      id,
      op,
      inputs: operands.map((v) => v.id),
      params,
      shape: [...aval.shape],
      dtype: aval.dtype,
    });
    const v = new Value(this, id, aval.shape, aval.dtype);
    this.values.push(v);
    if (!long) this.memo.set(head + pkey, v);
    else if (bucket) bucket.set(pkey, v);
    else this.longMemo.set(head, new Map([[pkey, v]]));
    return v;
  }

  /** The node behind a value of this builder. */
  node(v: Value): Node {
    return this.nodes[v.id];
  }

  /** The value of node `id` of this builder. */
  valueAt(id: number): Value {
    return this.values[id];
  }

  /** The graph with the given outputs (nodes not needed by them are kept; run `dce` to drop them). */
  finish(outputs: readonly Value[]): Graph {
    for (const v of outputs) {
      if (!(v instanceof Value) || v.builder !== this) {
        throw new GraphError(
          'trace',
          `output ${String(v)} is not a value of this trace; return values built from the arguments`,
        );
      }
    }
    return { inputs: this.inputs, nodes: this.nodes.slice(), outputs: outputs.map((v) => v.id) };
  }
}

const stack: Builder[] = [];

/** Runs `fn` with `builder` as the current trace (for `constant`). */
export function withBuilder<T>(builder: Builder, fn: () => T): T {
  stack.push(builder);
  try {
    return fn();
  } finally {
    stack.pop();
  }
}

/** The innermost active trace. */
export function currentBuilder(where: string): Builder {
  const b = stack[stack.length - 1];
  if (!b)
    throw new GraphError(where, 'called outside trace(); build graphs inside trace(inputs, fn)');
  return b;
}
