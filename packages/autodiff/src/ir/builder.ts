/**
 * Graph construction: a {@link Builder} appends nodes (checking each with its
 * primitive's shape rule) and hash-conses them, so structurally identical
 * subexpressions are built once (on-the-fly common-subexpression elimination).
 */
import type { DType, Shape } from '@sublora/tensor';
import { inferShape } from '../primitives/shape-rules';
import { hashFloat64s, isHashedArray } from './content-hash';
import { markSpecialNumbers } from './special-numbers';
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
 * params through by reference, so a params object is keyed once however
 * many rebuilds re-emit its node. Params are never mutated, so the cache
 * cannot go stale.
 */
const paramsKeyCache = new WeakMap<Params, string>();

/**
 * Canonical text for params (keys sorted), used in hash-consing keys and by
 * backends' structural caches; `-0` is kept apart from `0`, and NaN, Infinity
 * and -Infinity from each other and from `null`. Number arrays of at least
 * `HASHED_ARRAY_MIN_LENGTH` (256) entries (a constant's data) appear as their
 * length and a 128-bit hash of their entries (`hashFloat64s`), not as JSON:
 * a w = 1000 weight would otherwise be a 20 MB key.
 */
export function paramsKey(params: Params): string {
  let key = paramsKeyCache.get(params);
  if (key === undefined) {
    const keys = Object.keys(params).sort();
    key = keys
      .map((k) => {
        const v = params[k];
        return isHashedArray(v)
          ? `${k}=#${v.length}:${hashFloat64s(v)}`
          : `${k}=${JSON.stringify(v, markSpecialNumbers)}`;
      })
      .join(';');
    paramsKeyCache.set(params, key);
  }
  return key;
}

/** Whether the long arrays of two params with equal keys hold the same bits (the hash did not collide). */
function sameLongArrays(a: Params, b: Params): boolean {
  if (a === b) return true;
  return Object.keys(a).every((k) => {
    const x = a[k];
    const y = b[k];
    if (!isHashedArray(x)) return true;
    if (!isHashedArray(y) || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  });
}

/** Appends checked, hash-consed nodes; `finish` freezes them into a {@link Graph}. */
export class Builder {
  private readonly nodes: Node[] = [];
  private readonly values: Value[] = [];
  /** Hash-consing: `op(operand ids)` + params key. */
  private readonly memo = new Map<string, Value>();
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
    const key = `${op}(${operands.map((v) => v.id).join(',')})${paramsKey(params)}`;
    const hit = this.memo.get(key);
    if (hit && sameLongArrays(params, this.nodes[hit.id].params)) return hit;
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
    // a hash collision (equal key, other entries) keeps the first node memoized
    if (!hit) this.memo.set(key, v);
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
