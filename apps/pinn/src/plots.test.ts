import { METHODS } from '@sublora/rank-determination';
import { errorVsBudgetSpec, trajectorySpec, type TrajectoryPoint } from './plots';

type Layer = { mark?: unknown; encoding?: Record<string, Record<string, unknown>> };

describe('plot specs', () => {
  // the alternating plot's nine: every method plus the AdaLoRA cubic baseline
  const methods = [...METHODS, 'adalora-cubic'];

  it('error vs budget keeps every seed as a point and draws the line through their mean', () => {
    const points = [0, 1, 2].map((seed) => ({
      method: 'exact',
      budget: 3,
      seed,
      relErrorPct: 20 + 30 * seed,
    }));
    const spec = errorVsBudgetSpec('t', points, 1.5);
    const [curves] = spec.layer as { data: { values: unknown[] }; layer: Layer[] }[];
    expect(curves.data.values).toHaveLength(3);
    const [line, dots] = curves.layer;
    expect(line.encoding?.y).toMatchObject({ field: 'relErrorPct', aggregate: 'mean' });
    expect(dots.encoding?.y.aggregate).toBeUndefined();
  });

  it('gives nine methods nine colours and nine dash patterns', () => {
    const points = methods.map((method) => ({ method, budget: 1, seed: 0, relErrorPct: 1 }));
    const [curves] = errorVsBudgetSpec('t', points, 1).layer as { layer: Layer[] }[];
    const { color, strokeDash } = curves.layer[0].encoding ?? {};
    const colours = (color.scale as { range: string[] }).range;
    const dashes = (strokeDash.scale as { range: number[][] }).range.map((d) => d.join());
    expect(new Set(colours).size).toBe(9);
    expect(new Set(dashes).size).toBe(9);
  });

  it('alternating: one panel per method holding every method, its own marked once', () => {
    const points: TrajectoryPoint[] = methods.flatMap((method) => [
      { method, epoch: 0, loss: 1, stage: 'train' as const },
      { method, epoch: 1, loss: 2, stage: 'pruned' as const },
    ]);
    const values = (trajectorySpec('t', points).data as { values: Record<string, unknown>[] })
      .values;
    expect(values).toHaveLength(methods.length * points.length);
    for (const panel of methods) {
      const inPanel = values.filter((v) => v.panel === panel);
      expect(inPanel).toHaveLength(points.length);
      expect(inPanel.filter((v) => v.own).every((v) => v.method === panel)).toBe(true);
      expect(inPanel.filter((v) => v.own)).toHaveLength(2);
    }
  });
});
