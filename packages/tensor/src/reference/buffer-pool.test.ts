/** Buffer recycling: disposed buffers are reused, never while another handle still shares them. */
import { referenceBackend as B } from './register-all-kernels';
import { bufferPoolBytes, clearBufferPool } from './tensor';

const N = 8192; // at least the pool's minimum length
const ramp = (offset: number) => Float64Array.from({ length: N }, (_, i) => i + offset);

beforeEach(() => clearBufferPool());

it('recycles the buffer of a disposed tensor and overwrites it completely', () => {
  const x = B.fromArray(ramp(0), [N], 'float64');
  B.dispose(x);
  expect(bufferPoolBytes()).toBe(8 * N);
  const y = B.fromArray(ramp(5), [N], 'float64');
  expect(bufferPoolBytes()).toBe(0);
  const z = B.binary('add', y, B.fill([1], 1, 'float64'));
  expect(B.readSync(z)).toEqual(ramp(6));
  B.dispose(y);
  // zeros and matmul need a zeroed buffer: a recycled one is cleared first
  expect(B.readSync(B.zeros([N], 'float64'))).toEqual(new Float64Array(N));
});

it('keeps a buffer shared by reshape or cast alive until every handle is disposed', () => {
  const x = B.fromArray(ramp(0), [N], 'float64');
  const r = B.reshape(x, [N / 2, 2]);
  const c = B.cast(x, 'float64');
  B.dispose(x);
  B.dispose(x); // idempotent: must not release the shared buffer twice
  expect(bufferPoolBytes()).toBe(0);
  const other = B.fill([N], -1, 'float64'); // would take x's buffer if it were freed
  expect(B.readSync(r)).toEqual(ramp(0));
  B.dispose(r);
  expect(bufferPoolBytes()).toBe(0);
  expect(B.readSync(c)).toEqual(ramp(0));
  B.dispose(c);
  expect(bufferPoolBytes()).toBe(8 * N);
  expect(B.readSync(other)).toEqual(new Float64Array(N).fill(-1));
});

it('keys buffers by dtype and length', () => {
  B.dispose(B.fromArray(ramp(0), [N], 'float64'));
  const f32 = B.fill([N], 2, 'float32');
  expect(f32.dtype).toBe('float32');
  expect(B.readSync(f32)).toEqual(new Float32Array(N).fill(2));
  expect(bufferPoolBytes()).toBe(8 * N);
});
