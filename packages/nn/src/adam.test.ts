import fc from 'fast-check';
import { adamStep, createAdamState } from './adam';
import { constantSchedule, cosineSchedule, makeSchedule, stepSchedule } from './schedules';

const param = (values: number[]) => ({
  p: { shape: [values.length], data: Float64Array.from(values) },
});

describe('Adam', () => {
  it('moves each coordinate by lr * g / (|g| + eps) on the first step (bias correction)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 8 }),
        fc.double({ min: 1e-4, max: 1, noNaN: true }),
        (g, lr) => {
          const params = param(g.map(() => 1));
          const state = createAdamState(params);
          adamStep(state, params, { p: g }, lr);
          return g.every(
            (gi, i) => Math.abs(params.p.data[i] - (1 - (lr * gi) / (Math.abs(gi) + 1e-8))) < 1e-12,
          );
        },
      ),
      { numRuns: 50 },
    );
  });

  it('takes equal steps under a constant gradient (m and v stay unbiased)', () => {
    const params = param([0]);
    const state = createAdamState(params);
    const steps: number[] = [];
    for (let t = 0; t < 20; t++) {
      const before = params.p.data[0];
      adamStep(state, params, { p: [2] }, 0.1, { eps: 0 });
      steps.push(before - params.p.data[0]);
    }
    for (const s of steps) expect(s).toBeCloseTo(0.1, 12);
    expect(state.t).toBe(20);
  });

  it('minimises a quadratic', () => {
    const params = param([3, -2]);
    const state = createAdamState(params);
    for (let t = 0; t < 2000; t++) {
      const [a, b] = params.p.data;
      adamStep(state, params, { p: [2 * (a - 1), 20 * (b + 0.5)] }, 0.01);
    }
    expect(params.p.data[0]).toBeCloseTo(1, 3);
    expect(params.p.data[1]).toBeCloseTo(-0.5, 3);
  });

  it('holds frozen entries at zero and resets their moments', () => {
    const params = param([1, 1]);
    const state = createAdamState(params);
    adamStep(state, params, { p: [1, 1] }, 0.1);
    adamStep(state, params, { p: [1, 1] }, 0.1, {}, { p: [0, 1] });
    expect(params.p.data[1]).toBe(0);
    expect(state.m.p[1]).toBe(0);
    expect(params.p.data[0]).toBeCloseTo(0.8, 6);
  });

  it('refuses a gradient whose square overflows, or NaN, before writing anything', () => {
    for (const bad of [2e154, -1e300, Number.NaN, Infinity]) {
      const params = {
        p: { shape: [2], data: Float64Array.of(1, 2) },
        q: { shape: [1], data: Float64Array.of(3) },
      };
      const state = createAdamState(params);
      adamStep(state, params, { p: [0.1, 0.2], q: [0.3] }, 0.1);
      const before = JSON.stringify([params, state], (_, v: unknown) =>
        v instanceof Float64Array ? Array.from(v) : v,
      );
      expect(() => adamStep(state, params, { p: [0.1, 0.2], q: [bad] }, 0.1)).toThrow(
        new RegExp(
          `^gradient q: entry 0 is ${String(bad).replace(/[+.]/g, '\\$&')}${Number.isFinite(bad) ? ", whose square overflows Adam's second moment" : '; lower the learning rate or check the loss$'}`,
        ),
      );
      expect(
        JSON.stringify([params, state], (_, v: unknown) =>
          v instanceof Float64Array ? Array.from(v) : v,
        ),
      ).toBe(before);
    }
    // 1e154 still squares to a finite number, and a frozen entry is not read
    const params = { p: { shape: [2], data: Float64Array.of(1, 2) } };
    adamStep(createAdamState(params), params, { p: [1e154, Number.NaN] }, 0.1, {}, { p: [0, 1] });
    expect(Array.from(params.p.data)).toEqual([1 - 0.1 * (1 / (1 + 1e-8 / 1e154)), 0]);
  });

  it('rejects a gradient of the wrong size', () => {
    const params = param([1, 1]);
    expect(() => adamStep(createAdamState(params), params, { p: [1] }, 0.1)).toThrow(
      /gradient for 'p' has 1 entries but the parameter has 2/,
    );
  });
});

describe('schedules', () => {
  it('constant, cosine and step follow their formulas', () => {
    expect(constantSchedule(0.1)(500)).toBe(0.1);
    const cos = cosineSchedule(1, 100, 0.1);
    expect(cos(0)).toBe(1);
    expect(cos(50)).toBeCloseTo(0.55, 12);
    expect(cos(100)).toBeCloseTo(0.1, 12);
    expect(cos(200)).toBeCloseTo(0.1, 12);
    const step = stepSchedule(1, 10, 0.5);
    expect([step(0), step(9), step(10), step(25)]).toEqual([1, 1, 0.5, 0.25]);
    expect(makeSchedule('step', { rate: 2, total: 10, every: 5, gamma: 0.1 })(5)).toBeCloseTo(
      0.2,
      12,
    );
  });

  it('cosine decays monotonically', () => {
    const s = cosineSchedule(0.01, 300);
    for (let e = 1; e <= 300; e++) expect(s(e)).toBeLessThanOrEqual(s(e - 1));
  });
});
