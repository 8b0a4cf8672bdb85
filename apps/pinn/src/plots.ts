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

/**
 * Okabe and Ito's colour-blind-safe palette (plus grey for a ninth method);
 * with a dash pattern per method as well, lines stay apart in grey print.
 */
const PALETTE = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#D55E00',
  '#56B4E9',
  '#CC79A7',
  '#F0E442',
  '#000000',
  '#999999',
];
const DASHES = [
  [1, 0],
  [6, 3],
  [2, 2],
  [8, 3, 2, 3],
  [1, 3],
  [10, 4],
  [4, 2, 1, 2],
  [3, 5],
  [12, 2],
];

/** Legends draw each method as a short line in its colour and dash. */
const LINE_LEGEND = { legend: { symbolType: 'stroke', symbolSize: 400, symbolStrokeWidth: 2 } };

/** Colour and dash encodings of the `method` field, the same in every plot. */
function methodStyle(methods: readonly string[]): Record<string, unknown> {
  const domain = [...new Set(methods)];
  return {
    color: {
      field: 'method',
      type: 'nominal',
      scale: { domain, range: domain.map((_, i) => PALETTE[i % PALETTE.length]) },
    },
    strokeDash: {
      field: 'method',
      type: 'nominal',
      scale: { domain, range: domain.map((_, i) => DASHES[i % DASHES.length]) },
    },
  };
}

/** One seed's point of an error-vs-budget curve. */
export interface BudgetPoint {
  readonly method: string;
  readonly budget: number;
  readonly seed: number;
  /** Relative L2 error after pruning, in percent (as in the report's tables). */
  readonly relErrorPct: number;
}

/**
 * Relative error (%) after pruning vs budget: a line per method through the
 * mean over seeds, every seed's value as a small dot (the spread the tables
 * give as ± sd), and the unpruned fine-tuned error as a dashed black rule.
 */
export function errorVsBudgetSpec(
  title: string | { readonly text: string; readonly subtitle: string },
  points: readonly BudgetPoint[],
  unprunedErrorPct: number,
): ChartSpec {
  const style = methodStyle(points.map((p) => p.method));
  const x = { field: 'budget', type: 'quantitative', title: 'rank budget b' };
  const y = {
    field: 'relErrorPct',
    type: 'quantitative',
    scale: { type: 'log', nice: false },
    title: 'relative L2 error (%)',
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 420,
    height: 260,
    config: LINE_LEGEND,
    layer: [
      {
        data: { values: points.map((p) => ({ ...p })) },
        layer: [
          {
            mark: { type: 'line', strokeWidth: 2 },
            encoding: { x, y: { ...y, aggregate: 'mean' }, ...style },
          },
          {
            mark: { type: 'circle', size: 14, opacity: 0.6 },
            encoding: { x, y, color: style.color },
          },
        ],
      },
      {
        data: { values: [{ relErrorPct: unprunedErrorPct }] },
        mark: { type: 'rule', strokeDash: [6, 4], color: 'black' },
        encoding: { y: { field: 'relErrorPct', type: 'quantitative' } },
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

/**
 * Loss along alternating training, one small panel per method (in one
 * panel the methods' lines lie on top of each other), each over every other
 * method's line in faint grey for comparison; crosses mark the loss right
 * after pruning.
 */
export function trajectorySpec(title: string, points: readonly TrajectoryPoint[]): ChartSpec {
  const style = methodStyle(points.map((p) => p.method));
  const x = { field: 'epoch', type: 'quantitative', title: 'epoch' };
  const y = { field: 'loss', type: 'quantitative', scale: { type: 'log' }, title: 'training loss' };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    config: LINE_LEGEND,
    // every panel holds every method's points; its own method is drawn in colour
    data: {
      values: [...new Set(points.map((p) => p.method))].flatMap((panel) =>
        points.map((p) => ({ ...p, panel, own: p.method === panel })),
      ),
    },
    facet: { field: 'panel', type: 'nominal', title: null, sort: null },
    columns: 3,
    spec: {
      width: 180,
      height: 110,
      layer: [
        {
          mark: { type: 'line', color: '#cccccc', strokeWidth: 1 },
          encoding: { x, y, detail: { field: 'method', type: 'nominal' } },
        },
        {
          transform: [{ filter: 'datum.own' }],
          mark: { type: 'line' },
          encoding: { x, y, ...style },
        },
        {
          transform: [{ filter: "datum.own && datum.stage === 'pruned'" }],
          mark: { type: 'point', shape: 'cross', size: 60, filled: true },
          encoding: { x, y, color: style.color },
        },
      ],
    },
  };
}

/** Kept singular values of one layer under one method and budget. */
export interface AllocationPoint {
  readonly method: string;
  readonly budget: number;
  readonly layer: string;
  readonly kept: number;
}

/**
 * Rank allocation per layer: stacked bars of kept singular values per method,
 * one panel per budget. With several seeds, `kept` is the mean over seeds
 * (the caller says so in the title).
 */
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
        color: { field: 'layer', type: 'nominal', scale: { range: PALETTE } },
      },
    },
  };
}
