import type { TopLevelSpec } from 'vega-lite';
import type { EpochResult } from '../run/results.js';
import { svgToPng, vegaLiteToSvg } from './render.js';

/** The panels of results.png and the results.csv columns each draws. */
const PANELS: readonly (readonly [title: string, columns: readonly (keyof EpochResult)[]])[] = [
  ['train/loss', ['train/loss']],
  ['val/loss', ['val/loss']],
  ['metrics/accuracy_top1', ['metrics/accuracy_top1']],
  ['metrics/accuracy_top5', ['metrics/accuracy_top5']],
  ['lr', ['lr/pg0', 'lr/pg1', 'lr/pg2']],
];

/**
 * results.png: one panel per curve of results.csv against the epoch, as Ultralytics' plot_results lays out a
 * classify run: the losses, the accuracies, then the learning rates of the three parameter groups together.
 */
export async function resultsPlot(rows: readonly EpochResult[]): Promise<Buffer> {
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    concat: PANELS.map(([title, columns]) => ({
      title,
      width: 220,
      height: 170,
      data: { values: rows.flatMap((r) => columns.filter((c) => Number.isFinite(r[c])).map((c) => ({ epoch: r.epoch, series: c, value: r[c] }))) },
      mark: { type: 'line' as const, point: true, strokeWidth: 2 },
      encoding: {
        x: { field: 'epoch', type: 'quantitative' as const, axis: { tickMinStep: 1, format: 'd' }, scale: { zero: false } },
        y: { field: 'value', type: 'quantitative' as const, title: null, scale: { zero: false }, axis: { format: '~g' } },
        ...(columns.length > 1
          ? { color: { field: 'series', type: 'nominal' as const, title: null, legend: { orient: 'bottom' as const } }, strokeDash: { field: 'series', type: 'nominal' as const, legend: null } }
          : {}),
      },
    })),
    columns: 5,
    resolve: { scale: { color: 'independent' } },
    config: { font: 'DejaVu Sans', title: { fontSize: 14 } },
  };
  return svgToPng(await vegaLiteToSvg(spec), 2);
}
