/**
 * Sum of the `k` largest positive entries of an array, in O(n) expected time
 * (quickselect on a scratch copy). This is the inner step of the
 * data-dependent bound, run once per greedy step, so it must not sort.
 */

/**
 * Sum of the `k` largest entries of `values` that are > 0 (entries <= 0 and
 * `-Infinity` never count). `scratch` must have room for `values.length`
 * entries; its contents are overwritten.
 */
export function sumTopPositive(values: Float64Array, k: number, scratch: Float64Array): number {
  let count = 0;
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v > 0) {
      scratch[count++] = v;
      total += v;
    }
  }
  if (count <= k) return total;
  if (k <= 0) return 0;
  // Partition so that scratch[0..k) holds the k largest, then sum them.
  selectLargest(scratch, count, k);
  let sum = 0;
  for (let i = 0; i < k; i++) sum += scratch[i];
  return sum;
}

/**
 * Sum of the `k` largest entries of `values[0..count)` (any signs), or of the
 * positive ones only when `positiveOnly`. Reorders `values`.
 */
export function sumTopInPlace(
  values: Float64Array,
  count: number,
  k: number,
  positiveOnly: boolean,
): number {
  if (k <= 0) return 0;
  if (count > k) selectLargest(values, count, k);
  let sum = 0;
  for (let i = 0; i < Math.min(k, count); i++) {
    if (!positiveOnly || values[i] > 0) sum += values[i];
  }
  return sum;
}

/** Hoare-style quickselect: afterwards `a[0..k)` holds the `k` largest of `a[0..count)`, in any order. */
function selectLargest(a: Float64Array, count: number, k: number): void {
  let lo = 0;
  let hi = count - 1;
  const target = k - 1;
  while (lo < hi) {
    // Median of three as pivot keeps sorted or constant inputs from going quadratic.
    const mid = (lo + hi) >>> 1;
    const pivot = median3(a[lo], a[mid], a[hi]);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] > pivot) i++;
      while (a[j] < pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return;
  }
}

function median3(a: number, b: number, c: number): number {
  if (a > b) [a, b] = [b, a];
  if (b > c) b = c;
  return a > b ? a : b;
}
