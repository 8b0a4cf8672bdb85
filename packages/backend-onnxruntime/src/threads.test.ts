import { availableParallelism } from 'node:os';
import {
  PARALLEL_MIN_ELEMENTS,
  defaultIntraOpNumThreads,
  largestElements,
  threadPolicy,
  threadsFor,
} from './threads';

describe('thread policy', () => {
  test('unset: every available CPU for graphs with a tensor of 2^17 elements, one below', () => {
    const policy = threadPolicy(undefined, undefined);
    expect(policy).toEqual({
      threads: Math.max(1, availableParallelism()),
      parallelMinElements: 131072,
    });
    expect(PARALLEL_MIN_ELEMENTS).toBe(131072);
    expect(threadsFor(policy, 131071)).toBe(1);
    expect(threadsFor(policy, 131072)).toBe(defaultIntraOpNumThreads());
    expect(threadsFor(policy, 0)).toBe(1);
  });

  test("`threads` sets the big graphs' count only", () => {
    const policy = threadPolicy(undefined, 3);
    expect(policy).toEqual({ threads: 3, parallelMinElements: 131072 });
    expect(threadsFor(policy, 100)).toBe(1);
    expect(threadsFor(policy, 1 << 20)).toBe(3);
  });

  test('intraOpNumThreads applies to every graph, however small, and wins over threads', () => {
    expect(threadPolicy(3, 5)).toEqual({ threads: 3, parallelMinElements: 0 });
    const policy = threadPolicy(3, undefined);
    expect(policy).toEqual({ threads: 3, parallelMinElements: 0 });
    expect(threadsFor(policy, 0)).toBe(3);
    expect(threadsFor(policy, 1e9)).toBe(3);
  });

  test('largestElements is the element count of the largest shape (a scalar counts 1)', () => {
    expect(largestElements([])).toBe(0);
    expect(largestElements([[], [2, 3], [4], [1, 5, 1]])).toBe(6);
    expect(
      largestElements([
        [1024, 256],
        [8, 1024, 64],
      ]),
    ).toBe(524288);
  });
});
