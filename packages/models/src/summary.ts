import type * as tf from '@tensorflow/tfjs';
import { BatchNormAct } from './batch-norm-act-layer.js';

type Shape = (number | null)[];

export interface LayerRow {
  index: number;
  name: string;
  type: string;
  outputShape: number[];
  params: number;
  /** Its trainable weights (PyTorch's count). */
  trainableParams: number;
  /** Multiply-adds of this layer per image at the model's input size (conv, depthwise conv, dense). */
  macs: number;
}

export interface ModelSummary {
  name: string;
  layers: LayerRow[];
  /** Every weight, BatchNorm moving mean/variance included (Keras stores them as non-trainable weights). */
  params: number;
  /** Trainable weights: PyTorch's parameter count, the one Ultralytics publishes (BN γ and β, not its buffers). */
  trainableParams: number;
  /** Multiply-adds per image of conv and dense layers at the model's input size: the work a training step does. */
  macs: number;
  /** Image side the GFLOPs are given for. */
  imgsz: number;
  /**
   * Forward GFLOPs per image at `imgsz`, as Ultralytics' get_flops reports them: thop counts the operations of a
   * 32×32 input (conv and linear multiply-adds, 4 per BatchNorm element, one per pooled input and output),
   * ×2, scaled by (imgsz/32)². A model that cannot run at 32 (a Dense after Flatten) is counted at its own size.
   */
  gflops: number;
}

const PROXY = 32; // get_flops' input: max(model stride, 32)

function dims(shape: Shape): number[] {
  return shape.slice(1).map((d) => d ?? -1);
}

function outputShapeOf(layer: tf.layers.Layer): number[] {
  const s = layer.outputShape as Shape | Shape[];
  return dims(Array.isArray(s[0]) ? (s[0] as Shape) : (s as Shape));
}

const size = (weights: tf.LayerVariable[]) => weights.reduce((a, w) => a + w.shape.reduce<number>((x, y) => x * (y ?? 1), 1), 0);

const elements = (shape: Shape) => dims(shape).reduce((a, d) => a * d, 1);

/** Per image operations of one layer as thop counts them, given its input and output shapes. */
function thopOps(layer: tf.layers.Layer, inputs: Shape[], output: Shape): number {
  switch (layer.getClassName()) {
    case 'Conv2D':
    case 'DepthwiseConv2D': // each kernel weight is used once per output position ([kh, kw, c, 1] for depthwise)
      return layer.getWeights()[0]!.size * output[1]! * output[2]!;
    case 'Dense': {
      const features = inputs[0]!.at(-1)!;
      if (features !== layer.getWeights()[0]!.shape[0]) throw new RangeError(`${layer.name} cannot take ${features} features`);
      return features * output.at(-1)!;
    }
    case 'BatchNormalization':
    case BatchNormAct.className: // thop counts the BatchNorm only; SiLU has no thop rule
      return 4 * elements(output);
    case 'GlobalAveragePooling2D':
      return elements(inputs[0]!) + elements(output);
    default:
      return 0;
  }
}

/** thop's operation count of the whole model for a side×side input, found by propagating shapes layer by layer. */
function modelOps(model: tf.LayersModel, side: number): number {
  const shapes = new Map<tf.layers.Layer, Shape[]>();
  let total = 0;
  for (const layer of model.layers) {
    const node = layer.inboundNodes[0]!;
    const inputs = node.inboundLayers.map((l, k) => shapes.get(l)![node.tensorIndices[k]!]!);
    let outputs: Shape[];
    if (inputs.length === 0) outputs = [[null, side, side, (layer.outputShape as Shape)[3]!]];
    else {
      const out = layer.computeOutputShape(inputs.length === 1 ? inputs[0]! : inputs) as Shape | Shape[];
      outputs = Array.isArray(out[0]) ? (out as Shape[]) : [out as Shape];
    }
    if (outputs.some((s) => s.some((d) => d !== null && d < 1))) throw new RangeError(`${layer.name} has no output at ${side} px`);
    shapes.set(layer, outputs);
    total += thopOps(layer, inputs, outputs[0]!);
  }
  return total;
}

/** GFLOPs the Ultralytics way (see ModelSummary.gflops). */
function ultralyticsGflops(model: tf.LayersModel, side: number, imgsz: number): number {
  try {
    return ((modelOps(model, PROXY) * 2) / 1e9) * (imgsz / PROXY) ** 2;
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return ((modelOps(model, side) * 2) / 1e9) * (imgsz / side) ** 2;
  }
}

/** Per-layer table, parameter counts, multiply-adds and GFLOPs of a built model; `imgsz` defaults to its input size. */
export function summarize(model: tf.LayersModel, options: { imgsz?: number } = {}): ModelSummary {
  const side = (model.inputs[0]!.shape as number[])[1]!;
  const imgsz = options.imgsz ?? side;
  const layers = model.layers.map((layer, index) => {
    const outputShape = outputShapeOf(layer);
    const type = layer.getClassName();
    const conv = type === 'Conv2D' || type === 'DepthwiseConv2D' || type === 'Dense';
    const spatial = outputShape.length === 3 ? outputShape[0]! * outputShape[1]! : 1;
    return { index, name: layer.name, type, outputShape, params: layer.countParams(), trainableParams: size(layer.trainableWeights), macs: conv ? layer.getWeights()[0]!.size * spatial : 0 };
  });
  return {
    name: model.name,
    layers,
    params: layers.reduce((a, l) => a + l.params, 0),
    trainableParams: size(model.trainableWeights),
    macs: layers.reduce((a, l) => a + l.macs, 0),
    imgsz,
    gflops: ultralyticsGflops(model, side, imgsz),
  };
}

/** The block a layer belongs to: `model.<i>` for Ultralytics-style names, else the name up to its first dot. */
const blockOf = (name: string) => /^model\.\d+(?=\.)/.exec(name)?.[0] ?? name.split('.')[0]!;

/**
 * The summary as printed at train start: one row per block (the layers of Ultralytics module `model.<i>`, or of
 * `b1.*`), then Ultralytics' one-line total. Block params, "parameters" and "gradients" count trainable weights as
 * PyTorch does; non-trainable weights (BatchNorm moving statistics) are listed apart.
 */
export function formatSummary(s: ModelSummary, verbose = true): string {
  const lines: string[] = [];
  if (verbose) {
    const blocks: { name: string; type: string; layers: number; outputShape: number[]; params: number }[] = [];
    for (const l of s.layers) {
      const name = blockOf(l.name);
      const last = blocks.at(-1);
      if (last?.name === name) Object.assign(last, { type: `${++last.layers} layers`, outputShape: l.outputShape, params: last.params + l.trainableParams });
      else blocks.push({ name, type: l.type, layers: 1, outputShape: l.outputShape, params: l.trainableParams });
    }
    lines.push(`${'#'.padStart(3)}  ${'block'.padEnd(14)}${'type'.padEnd(24)}${'output'.padEnd(16)}${'params'.padStart(10)}`);
    blocks.forEach((b, i) => {
      lines.push(`${String(i).padStart(3)}  ${b.name.padEnd(14)}${b.type.padEnd(24)}${b.outputShape.join('x').padEnd(16)}${b.params.toLocaleString('en-US').padStart(10)}`);
    });
  }
  const n = (v: number) => v.toLocaleString('en-US');
  const moving = s.params - s.trainableParams;
  lines.push(
    `${s.name} summary: ${s.layers.length} layers, ${n(s.trainableParams)} parameters, ${n(s.trainableParams)} gradients${moving ? ` (+${n(moving)} non-trainable)` : ''}, ${s.gflops.toFixed(4)} GFLOPs at imgsz=${s.imgsz}`,
  );
  return lines.join('\n');
}
