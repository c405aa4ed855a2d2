import type { TopLevelSpec } from 'vega-lite';
import { svgToPng, vegaLiteToSvg } from './render.js';

/**
 * confusion_matrix.png (counts) or confusion_matrix_normalized.png (each true class's column sums to 1), in
 * Ultralytics' orientation: rows are predicted classes, columns true ones, class names on both axes.
 */
export async function confusionPlot(matrix: readonly (readonly number[])[], names: readonly string[], normalize: boolean): Promise<Buffer> {
  const columnSums = names.map((_, t) => matrix.reduce((a, row) => a + row[t]!, 0));
  const values = matrix.flatMap((row, p) => row.map((count, t) => ({ predicted: names[p], true: names[t], value: normalize ? count / (columnSums[t]! + 1e-9) : count })));
  const side = Math.max(300, Math.min(1200, names.length * 36));
  const small = names.length > 20;
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: normalize ? 'Confusion Matrix Normalized' : 'Confusion Matrix',
    data: { values },
    width: side,
    height: side,
    encoding: {
      x: { field: 'true', type: 'ordinal', sort: [...names], title: 'True', axis: { labelAngle: -45 } },
      y: { field: 'predicted', type: 'ordinal', sort: [...names], title: 'Predicted' },
    },
    layer: [
      // Empty cells stay white, as in Ultralytics' plot.
      { mark: 'rect', transform: [{ filter: 'datum.value > 0' }], encoding: { color: { field: 'value', type: 'quantitative', scale: { scheme: 'blues', domainMin: 0 }, title: normalize ? 'fraction' : 'images' } } },
      ...(small
        ? []
        : [
            {
              mark: { type: 'text' as const, fontSize: 11 },
              transform: [{ filter: 'datum.value > 0' }],
              encoding: {
                text: { field: 'value', type: 'quantitative' as const, format: normalize ? '.2f' : 'd' },
                color: { condition: { test: `datum.value > ${normalize ? 0.5 : Math.max(...values.map((v) => v.value)) / 2}`, value: 'white' }, value: 'black' },
              },
            },
          ]),
    ],
    config: { font: 'DejaVu Sans', view: { fill: 'white' }, axis: { grid: false } },
  };
  return svgToPng(await vegaLiteToSvg(spec), 2);
}
