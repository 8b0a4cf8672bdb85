import { adamStep, createAdamState } from '@sublora/nn';
import { adam } from './optimizer';
import { phaseTensors, restorePhase } from './train';

const params = () => ({
  a: { shape: [2], data: Float64Array.from([1, -2]) },
  b: { shape: [1], data: Float64Array.from([0.5]) },
});
const grads = { a: Float64Array.from([0.3, -0.1]), b: Float64Array.from([2]) };

describe('the adam optimizer record', () => {
  it('steps exactly like @sublora/nn adamStep', () => {
    const p = params();
    const q = params();
    const state = adam.init(p, ['a', 'b']);
    const reference = createAdamState(q, ['a', 'b']);
    for (let i = 0; i < 3; i++) {
      adam.step(state, p, grads, 0.01);
      adamStep(reference, q, grads, 0.01);
    }
    expect(state.t).toBe(3);
    expect(Array.from(p.a.data)).toEqual(Array.from(q.a.data));
    expect(Array.from(state.slots['adam.v'].b)).toEqual(Array.from(reference.v.b));
  });

  it('round-trips through checkpoint tensors, extras included; reads the old adamT', () => {
    const p = params();
    const state = adam.init(p, ['a']);
    adam.step(state, p, grads, 0.01);
    state.extra = { ranks: [2, 1] };
    const tensors = phaseTensors(p, state);
    expect(Object.keys(tensors).sort()).toEqual(['adam.m/a', 'adam.v/a', 'param/a', 'param/b']);
    const restored = params();
    const fresh = adam.init(restored, ['a']);
    restorePhase(tensors, { optimizerStep: 1, optimizerExtra: { ranks: [2, 1] } }, restored, fresh);
    expect(fresh.t).toBe(1);
    expect(fresh.extra).toEqual({ ranks: [2, 1] });
    expect(Array.from(fresh.slots['adam.m'].a)).toEqual(Array.from(state.slots['adam.m'].a));
    expect(Array.from(restored.a.data)).toEqual(Array.from(p.a.data));
    const legacy = adam.init(params(), ['a']);
    restorePhase(tensors, { adamT: 7 }, params(), legacy);
    expect(legacy.t).toBe(7);
  });
});
