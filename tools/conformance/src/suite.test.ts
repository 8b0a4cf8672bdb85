import { referenceBackend, TensorError, type Backend, type Tensor } from '@sublora/tensor';
import { ERROR_CASES, KERNEL_CASES, runConformance } from './index';

/** The reference backend with one kernel replaced. */
function tampered(overrides: Partial<Backend>): Backend {
  return { ...referenceBackend, name: 'tampered', ...overrides };
}

// The suite must be able to fail: each deliberately wrong backend is caught by the right cases.
describe('the suite catches wrong backends', () => {
  const failedOps = async (backend: Backend, dtype: 'float32' | 'float64') =>
    new Set(
      (await runConformance(backend, { dtype, cases: KERNEL_CASES })).results
        .filter((r) => !r.pass)
        .map((r) => r.name),
    );

  it('an exp off by 1e-4 relative fails float32 but nothing else', async () => {
    const be = tampered({
      unary: (op, x) => {
        const y = referenceBackend.unary(op, x);
        if (op !== 'exp') return y;
        const scale = referenceBackend.fill([], 1 + 1e-4, x.dtype);
        const out = referenceBackend.binary('mul', y, scale);
        referenceBackend.dispose(y);
        referenceBackend.dispose(scale);
        return out;
      },
    });
    expect([...(await failedOps(be, 'float32'))]).toEqual(['unary exp']);
  });

  it('matmul ignoring transposeB fails the transposed cases', async () => {
    const be = tampered({
      matmul: (a: Tensor, b: Tensor, o) =>
        referenceBackend.matmul(a, b, { ...o, transposeB: false }),
    });
    const failed = await failedOps(be, 'float64');
    expect(failed.has('matmul transposeB')).toBe(true);
    expect(failed.has('matmul batched, both transposed')).toBe(true);
    expect(failed.has('matmul 2-D')).toBe(false);
  });

  it('a fused kernel that drops its last step fails the elementwise case only', async () => {
    const be = tampered({
      elementwise: (program, operands, shape) =>
        program.steps.length > 1
          ? referenceBackend.elementwise({ steps: program.steps.slice(0, -1) }, operands, shape)
          : referenceBackend.elementwise(program, operands, shape),
    });
    // Over three seeds some program has more than one step.
    const failed = new Set<string>();
    for (const seed of [1, 2, 3]) {
      for (const r of (await runConformance(be, { dtype: 'float64', seed, cases: KERNEL_CASES }))
        .results)
        if (!r.pass) failed.add(r.name);
    }
    expect([...failed]).toEqual(['elementwise program (broadcast operands)']);
  });

  it('a backend without a fused kernel runs the program step by step', async () => {
    const { elementwise: _, ...unfused } = referenceBackend;
    const report = await runConformance(
      { ...unfused, name: 'unfused' },
      { dtype: 'float32', cases: KERNEL_CASES.filter((c) => c.op === 'elementwise') },
    );
    expect(report.failed).toBe(0);
    expect(report.passed).toBe(1);
  });

  describe('error cases: same error class and message as the reference', () => {
    const failedErrors = async (backend: Backend) =>
      (
        await runConformance(backend, { dtype: 'float64', cases: [], errorCases: ERROR_CASES })
      ).results
        .filter((r) => !r.pass)
        .map((r) => `${r.name}: ${r.message}`);

    it('the reference passes every one', async () => {
      expect(await failedErrors(referenceBackend)).toEqual([]);
    });

    it('a check written by hand with its own wording fails', async () => {
      const be = tampered({
        broadcastTo: (x, shape) => {
          if (shape[0] !== x.shape[0])
            throw new TensorError('broadcastTo', 'shapes are incompatible');
          return referenceBackend.broadcastTo(x, shape);
        },
      });
      expect(await failedErrors(be)).toEqual([
        'error broadcastTo: incompatible: threw TensorError: broadcastTo: shapes are incompatible',
      ]);
    });

    it('a kernel that passes bad input on (clamping indices) fails', async () => {
      const be = tampered({
        gather: (x, indices, axis) =>
          referenceBackend.gather(
            x,
            indices.map((i) => Math.min(i, x.shape[axis] - 1)),
            axis,
          ),
      });
      expect(await failedErrors(be)).toEqual([
        'error gather: index out of range: accepted the input',
      ]);
    });

    it('the same message in another error class fails', async () => {
      const be = tampered({
        transpose: (x, perm) => {
          try {
            return referenceBackend.transpose(x, perm);
          } catch (e) {
            throw new Error((e as Error).message, { cause: e });
          }
        },
      });
      expect(await failedErrors(be)).toEqual([
        'error transpose: not a permutation: threw Error: transpose: perm [0,0] is not a permutation of the 2 axes of [2,3] float64',
      ]);
    });

    it('a case needing two dtypes is skipped on a one-dtype backend', async () => {
      const names = (
        await runConformance(
          { ...referenceBackend, dtypes: ['float32'] },
          { dtype: 'float32', cases: [], errorCases: ERROR_CASES },
        )
      ).results.map((r) => r.name);
      expect(names).not.toContain('error binary: mixed dtypes');
      expect(names).toHaveLength(ERROR_CASES.length - 1);
    });

    it('a case of an optional kernel is skipped on a backend without it', async () => {
      const { elementwise: _, ...unfused } = referenceBackend;
      const names = (
        await runConformance(unfused, { dtype: 'float64', cases: [], errorCases: ERROR_CASES })
      ).results.map((r) => r.name);
      expect(names.filter((n) => n.startsWith('error elementwise'))).toEqual([]);
      expect(names).toHaveLength(ERROR_CASES.length - 2);
    });
  });

  it('a kernel that throws is a failure with its message, not a crash', async () => {
    const be = tampered({
      gather: () => {
        throw new Error('gather: not implemented');
      },
    });
    const report = await runConformance(be, {
      dtype: 'float64',
      cases: KERNEL_CASES.filter((c) => c.op === 'gather'),
    });
    expect(report.failed).toBe(1);
    expect(report.results[0].message).toBe('gather: not implemented');
  });

  it('summing in float32 with a float64-only tolerance fails; the float32 tolerance passes', async () => {
    const sums = KERNEL_CASES.filter((c) => c.name === 'matmul batched, broadcast batch');
    expect((await runConformance(referenceBackend, { dtype: 'float32', cases: sums })).failed).toBe(
      0,
    );
    expect(
      (await runConformance(referenceBackend, { dtype: 'float32', cases: sums, tolerance: 1e-7 }))
        .failed,
    ).toBe(1);
  });

  it('rejects a dtype the backend does not compute in', async () => {
    await expect(
      runConformance({ ...referenceBackend, dtypes: ['float32'] }, { dtype: 'float64' }),
    ).rejects.toThrow(
      "runConformance: backend 'reference' computes in float32, not float64; pass one of those as dtype",
    );
  });
});
