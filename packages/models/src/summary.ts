import type * as tf from '@tensorflow/tfjs';

export interface LayerRow {
  index: number;
  name: string;
  type: string;
  outputShape: number[];
  params: number;
  /** Multiply-adds of this layer per image. */
  macs: number;
}

export interface ModelSummary {
  name: string;
  layers: LayerRow[];
  params: number;
  trainableParams: number;
  /** Forward GFLOPs per image at the model's input size: 2 × multiply-adds of conv and dense layers, as Ultralytics counts. */
  gflops: number;
}

function shapeOf(layer: tf.layers.Layer): number[] {
  const s = layer.outputShape as (number | null)[] | (number | null)[][];
  const first = Array.isArray(s[0]) ? (s[0] as (number | null)[]) : (s as (number | null)[]);
  return first.slice(1).map((d) => d ?? -1);
}

/** Multiply-adds per image of the layers that do real arithmetic (conv, depthwise conv, dense). */
function layerMacs(layer: tf.layers.Layer): number {
  const out = shapeOf(layer);
  const spatial = out.length === 3 ? out[0]! * out[1]! : 1;
  const type = layer.getClassName();
  // Each kernel weight is used once per output position (depthwise kernels [kh, kw, c, 1] included).
  if (type === 'Conv2D' || type === 'DepthwiseConv2D' || type === 'Dense') return layer.getWeights()[0]!.size * spatial;
  return 0;
}

/** Per-layer table, parameter counts and GFLOPs of a built model. */
export function summarize(model: tf.LayersModel): ModelSummary {
  const layers = model.layers.map((layer, index) => ({
    index,
    name: layer.name,
    type: layer.getClassName(),
    outputShape: shapeOf(layer),
    params: layer.countParams(),
    macs: layerMacs(layer),
  }));
  const trainableParams = model.trainableWeights.reduce((a, w) => a + w.shape.reduce<number>((x, y) => x * (y ?? 1), 1), 0);
  return {
    name: model.name,
    layers,
    params: layers.reduce((a, l) => a + l.params, 0),
    trainableParams,
    gflops: (2 * layers.reduce((a, l) => a + l.macs, 0)) / 1e9,
  };
}

/** The summary as printed at train start: a table, then Ultralytics' one-line total. */
export function formatSummary(s: ModelSummary, verbose = true): string {
  const lines: string[] = [];
  if (verbose) {
    lines.push(`${'#'.padStart(3)}  ${'layer'.padEnd(14)}${'type'.padEnd(22)}${'output'.padEnd(16)}${'params'.padStart(10)}`);
    for (const l of s.layers) {
      lines.push(`${String(l.index).padStart(3)}  ${l.name.padEnd(14)}${l.type.padEnd(22)}${l.outputShape.join('x').padEnd(16)}${l.params.toLocaleString('en-US').padStart(10)}`);
    }
  }
  lines.push(`${s.name} summary: ${s.layers.length} layers, ${s.params.toLocaleString('en-US')} parameters, ${s.trainableParams.toLocaleString('en-US')} gradients, ${s.gflops.toFixed(4)} GFLOPs`);
  return lines.join('\n');
}
