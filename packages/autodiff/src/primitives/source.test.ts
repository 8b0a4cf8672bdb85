/**
 * The constant source's checks: every entry finite and the length matching the
 * shape, with each data array's entries read once however often passes
 * re-emit it.
 */
import { Builder } from '../ir/builder';

/** `data` behind a proxy that counts reads of its entries. */
function countingReads(data: number[]): { array: number[]; reads: () => number } {
  let reads = 0;
  const array = new Proxy(data, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return { array, reads: () => reads };
}

const emitConstant = (data: number[], shape: number[]) =>
  new Builder([]).emit('constant', [], { data, shape, dtype: 'float64' });

test('a re-emitted constant is not re-checked entry by entry', () => {
  const { array, reads } = countingReads([1, 2, 3, 4, 5, 6]);
  const params = { data: array, shape: [2, 3], dtype: 'float64' };
  new Builder([]).emit('constant', [], params);
  const first = reads();
  expect(first).toBeGreaterThanOrEqual(6);
  // a pass re-emits the node with the same params in a new builder
  for (let i = 0; i < 3; i++) new Builder([]).emit('constant', [], params);
  expect(reads()).toBe(first);
});

test('non-finite entries and a wrong length are still refused', () => {
  expect(() => emitConstant([1, NaN], [2])).toThrow(/finite numbers for shape \[2\]/);
  expect(() => emitConstant([1, Infinity], [2])).toThrow(/finite numbers/);
  const checked = [1, 2, 3];
  expect(emitConstant(checked, [3]).shape).toEqual([3]);
  // the same (checked) array under a shape of another size
  expect(() => emitConstant(checked, [2, 2])).toThrow(/4 finite numbers for shape \[2,2\]/);
});
