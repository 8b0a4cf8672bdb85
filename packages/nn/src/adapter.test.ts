import { svdViewSize, loraSvdAdapter } from './adapter';
import { initLora } from './lora';
import { initMlp } from './mlp';
import { createRandom } from '@sublora/tensor';

describe('loraSvdAdapter', () => {
  const shape = { inputDim: 2, width: 5, depth: 3 };
  const lora = { layers: [1, 2], rank: 3 };
  const rng = createRandom(7);
  const params = { ...initMlp(shape, rng), ...initLora(shape, lora, rng) };
  params['lora.sigma'].data.set([1, 2, 3, 4, 5, 6]);
  const adapter = loraSvdAdapter(lora);

  it('views each adapted layer with its slice of lora.sigma and its own factors', () => {
    const views = adapter.svdView(params);
    expect(views.map((v) => v.layer)).toEqual([1, 2]);
    expect(views.map((v) => Array.from(v.sigma))).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(views[1].u).toBe(params['lora.U2']);
    expect(svdViewSize(views)).toBe(6);
  });

  it('prunes a copy (keeping all is the identity) and never mutates its input', () => {
    const all = adapter.prune(params, [1, 1, 1, 1, 1, 1]);
    expect(all).toEqual(params);
    const some = adapter.prune(params, [1, 0, 1, 0, 0, 1]);
    expect(Array.from(some['lora.sigma'].data)).toEqual([1, 0, 3, 0, 0, 6]);
    expect(Array.from(params['lora.sigma'].data)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
