/**
 * Plots as Vega-Lite specs, rendered to SVG with vega's headless View and to
 * PNG with resvg.
 *
 * vega and vega-lite 6 are ESM-only; this CommonJS package loads them with a
 * real dynamic `import()` (TypeScript's node16 module mode leaves `import()`
 * untouched in CommonJS output). Code transpiled by jest's SWC transform turns
 * `import()` into `require()`, which cannot load them, so plotting is tested
 * through a child process running the sources with ts-node.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A Vega-Lite specification (plain JSON). */
export type ChartSpec = Record<string, unknown>;

/** Renders a Vega-Lite spec to SVG text. */
export async function renderSvg(spec: ChartSpec): Promise<string> {
  const vegaLite = await import('vega-lite');
  const vega = await import('vega');
  const compiled = vegaLite.compile(spec as unknown as Parameters<typeof vegaLite.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterises SVG text to PNG bytes (white background). */
export async function svgToPng(svg: string): Promise<Uint8Array> {
  const { Resvg } = await import('@resvg/resvg-js');
  const png = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: 2 },
    font: { loadSystemFonts: true },
  })
    .render()
    .asPng();
  return new Uint8Array(png);
}

/** Writes `<dir>/<name>.svg` and `<dir>/<name>.png`; returns their paths. */
export async function writeChart(dir: string, name: string, spec: ChartSpec): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const svg = await renderSvg(spec);
  const svgPath = path.join(dir, `${name}.svg`);
  const pngPath = path.join(dir, `${name}.png`);
  fs.writeFileSync(svgPath, svg);
  fs.writeFileSync(pngPath, await svgToPng(svg));
  return [svgPath, pngPath];
}

/** One point of an error-vs-budget curve. */
export interface BudgetPoint {
  readonly method: string;
  readonly budget: number;
  readonly relError: number;
}

/**
 * Relative error after pruning vs budget, one line per method (mean over
 * seeds), with the unpruned fine-tuned error as a dashed reference line.
 */
export function errorVsBudgetSpec(
  title: string,
  points: readonly BudgetPoint[],
  unprunedError: number,
): ChartSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 420,
    height: 260,
    layer: [
      {
        data: { values: points.map((p) => ({ ...p })) },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'budget', type: 'quantitative', title: 'rank budget b' },
          y: {
            field: 'relError',
            type: 'quantitative',
            scale: { type: 'log' },
            title: 'relative L2 error',
          },
          color: { field: 'method', type: 'nominal' },
        },
      },
      {
        data: { values: [{ relError: unprunedError, label: 'fine-tuned, unpruned' }] },
        mark: { type: 'rule', strokeDash: [6, 4], color: 'black' },
        encoding: { y: { field: 'relError', type: 'quantitative' } },
      },
    ],
  };
}

/** One point of an alternating-training trajectory. */
export interface TrajectoryPoint {
  readonly method: string;
  /** Global epoch count. */
  readonly epoch: number;
  readonly loss: number;
  /** `train` after Adam epochs, `pruned` right after a rank determination. */
  readonly stage: 'train' | 'pruned';
}

/** Loss along alternating training per method; crosses mark the loss right after pruning. */
export function trajectorySpec(title: string, points: readonly TrajectoryPoint[]): ChartSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 420,
    height: 260,
    data: { values: points.map((p) => ({ ...p })) },
    layer: [
      {
        mark: { type: 'line' },
        encoding: {
          x: { field: 'epoch', type: 'quantitative', title: 'epoch' },
          y: {
            field: 'loss',
            type: 'quantitative',
            scale: { type: 'log' },
            title: 'training loss',
          },
          color: { field: 'method', type: 'nominal' },
        },
      },
      {
        transform: [{ filter: "datum.stage === 'pruned'" }],
        mark: { type: 'point', shape: 'cross', size: 80, filled: true },
        encoding: {
          x: { field: 'epoch', type: 'quantitative' },
          y: { field: 'loss', type: 'quantitative' },
          color: { field: 'method', type: 'nominal' },
        },
      },
    ],
  };
}

/** Kept singular values of one layer under one method and budget. */
export interface AllocationPoint {
  readonly method: string;
  readonly budget: number;
  readonly layer: string;
  readonly kept: number;
}

/** Rank allocation per layer: stacked bars of kept singular values per method, one panel per budget. */
export function allocationSpec(title: string, points: readonly AllocationPoint[]): ChartSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values: points.map((p) => ({ ...p })) },
    facet: { column: { field: 'budget', type: 'ordinal', title: 'budget b' } },
    spec: {
      width: 140,
      height: 200,
      mark: 'bar',
      encoding: {
        x: { field: 'method', type: 'nominal', title: null },
        y: { field: 'kept', type: 'quantitative', stack: 'zero', title: 'kept singular values' },
        color: { field: 'layer', type: 'nominal' },
      },
    },
  };
}
