import * as tf from '@tensorflow/tfjs';
import { YoloTsError } from '@yolo-ts/core-data';
import { AttentionHeads, BatchNormAct, ChannelSlice } from '@yolo-ts/models';
import { samePadding, type Activation, type GraphNode, type InferenceGraph, type Pads, type ValueInfo, type Weight } from './graph.js';

export class ExportError extends YoloTsError {
  static override readonly code: string = 'E_EXPORT';
}

type Layer = tf.layers.Layer;
type Config = Record<string, unknown>;

const weight = (t: tf.Tensor): Weight => ({ shape: [...t.shape], data: Float32Array.from(t.dataSync()) });
const pair = (v: unknown): [number, number] => {
  const a = [v].flat() as number[];
  return [a[0]!, a[1] ?? a[0]!];
};


function activation(layer: Layer, name: unknown): Activation {
  if (name === 'linear' || name === 'relu' || name === 'silu') return name;
  if (name === 'swish') return 'silu';
  throw new ExportError(`cannot export layer '${layer.name}' (${layer.getClassName()}): activation '${String(name)}' is not one export knows (linear, relu, silu)`);
}

/** A conv layer that a following BatchNormAct can be folded into: no bias, linear, undilated, read by that layer only. */
function foldsInto(conv: Layer | undefined, bn: BatchNormAct): conv is Layer {
  if (!conv || !['Conv2D', 'DepthwiseConv2D'].includes(conv.getClassName()) || conv.outboundNodes.length !== 1) return false;
  const c = conv.getConfig() as Config;
  return !c.useBias && c.activation === 'linear' && ([c.dilationRate].flat() as number[]).every((d) => d === 1) && bn.inboundNodes.length === 1;
}

/**
 * Lowers a yolo-ts classification model (any the model registry builds: yolo26 n–x, cnn-small, cnn-bn) to an
 * `InferenceGraph` that ends in softmax: inference semantics (Dropout is the identity, BatchNorm uses its moving
 * statistics and is folded into the convolution before it), weights read now. A layer export does not know stops
 * it with an `ExportError` naming the layer. `softmax: false` leaves the model's own 2-D output as the graph's (tests
 * compare single layers through it).
 */
export function lowerModel(model: tf.LayersModel, { softmax = true }: { softmax?: boolean } = {}): InferenceGraph {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) throw new ExportError(`cannot export model '${model.name}': it has ${model.inputs.length} inputs and ${model.outputs.length} outputs (export takes one image input and one output)`);
  const values = new Map<string, ValueInfo>();
  const nodes: GraphNode[] = [];
  const names = new Map<number, string>(); // symbolic tensor id → value name
  const shapeOf = (t: tf.SymbolicTensor) => t.shape.map((d) => d ?? -1);
  const define = (name: string, shape: number[], image = shape.length === 4) => {
    values.set(name, { shape, image });
    return name;
  };
  let counter = 0;
  const temp = (base: string, shape: number[], image = false) => define(`${base}/${counter++}`, shape, image);
  const folded = new Set<Layer>();

  const input = model.inputs[0]!;
  names.set(input.id, define('images', shapeOf(input)));

  for (const layer of model.layers) {
    const node = layer.inboundNodes[0];
    if (!node || layer.getClassName() === 'InputLayer') continue;
    if (layer.inboundNodes.length !== 1) throw new ExportError(`cannot export layer '${layer.name}': it is applied ${layer.inboundNodes.length} times (shared layers are not supported)`);
    const ins = node.inputTensors.map((t) => {
      const n = names.get(t.id);
      if (n === undefined) throw new ExportError(`cannot export layer '${layer.name}': its input ${t.name} comes from outside the model`);
      return n;
    });
    const outs = node.outputTensors.map((t, k) => define(k === 0 ? layer.name : `${layer.name}:${k}`, shapeOf(t)));
    node.outputTensors.forEach((t, k) => names.set(t.id, outs[k]!));
    const inShape = shapeOf(node.inputTensors[0]!);
    const c = layer.getConfig() as Config;
    const [x, y] = [ins[0]!, outs[0]!];

    switch (layer.getClassName()) {
      case 'Rescaling':
        nodes.push({ op: 'scale', input: x, output: y, scale: c.scale as number, offset: (c.offset as number) ?? 0 });
        break;
      case 'Conv2D':
      case 'DepthwiseConv2D': {
        if (c.dataFormat !== 'channelsLast') throw new ExportError(`cannot export layer '${layer.name}': only channelsLast convolutions`);
        if (([c.dilationRate].flat() as number[]).some((d) => d !== 1)) throw new ExportError(`cannot export layer '${layer.name}': dilated convolutions are not supported`);
        const depthwise = layer.getClassName() === 'DepthwiseConv2D';
        if (depthwise && c.depthMultiplier !== 1) throw new ExportError(`cannot export layer '${layer.name}': depth multiplier ${String(c.depthMultiplier)} (only 1)`);
        const outbound = layer.outboundNodes[0]?.outboundLayer;
        if (outbound instanceof BatchNormAct && foldsInto(layer, outbound)) folded.add(layer);
        const kernel = layer.getWeights()[0]!;
        const channelsOut = depthwise ? inShape[3]! : (c.filters as number);
        const bias = c.useBias ? weight(layer.getWeights()[1]!) : { shape: [channelsOut], data: new Float32Array(channelsOut) };
        const strides = pair(c.strides);
        const pads: Pads = c.padding === 'valid' ? [0, 0, 0, 0] : samePadding([inShape[1]!, inShape[2]!], pair(c.kernelSize), strides);
        nodes.push({ op: 'conv', input: x, output: y, weight: weight(kernel), bias, strides, pads, depthwise, activation: activation(layer, c.activation) });
        break;
      }
      case BatchNormAct.className: {
        const bn = layer as BatchNormAct;
        const conv = node.inboundLayers[0];
        const last = nodes.at(-1);
        if (conv && folded.has(conv) && last?.op === 'conv' && last.output === x) {
          // Fold into the conv just lowered: a depthwise kernel [kh, kw, c, 1] has the same memory order as [kh, kw, 1, c].
          const [kh, kw, ci, co] = last.weight.shape as [number, number, number, number];
          const kernel = tf.tensor4d(last.weight.data, last.depthwise ? [kh, kw, co, ci] : [kh, kw, ci, co]);
          const { filter, bias } = bn.fold(kernel);
          nodes[nodes.length - 1] = { ...last, output: y, weight: { shape: last.weight.shape, data: Float32Array.from(filter.dataSync()) }, bias: weight(bias), activation: bn.activation };
          tf.dispose([kernel, filter, bias]);
          values.delete(x);
          break;
        }
        // A BatchNorm on its own: fold(1) gives its per-channel scale and shift.
        const ones = tf.ones([1, 1, 1, inShape.at(-1)!]) as tf.Tensor4D;
        const { filter, bias } = bn.fold(ones);
        nodes.push({ op: 'affine', input: x, output: y, scale: { shape: [inShape.at(-1)!], data: Float32Array.from(filter.dataSync()) }, shift: weight(bias), activation: bn.activation });
        tf.dispose([ones, filter, bias]);
        break;
      }
      case ChannelSlice.className: {
        const s = layer as ChannelSlice;
        nodes.push({ op: 'slice', input: x, output: y, axis: inShape.length - 1, begin: s.begin, size: s.size });
        break;
      }
      case AttentionHeads.className:
        lowerAttention(layer as AttentionHeads, x, inShape, outs as [string, string]);
        break;
      case 'Add': {
        let acc = ins[0]!;
        ins.slice(1).forEach((b, i) => {
          const out = i === ins.length - 2 ? y : temp(y, inShape, values.get(x)!.image);
          nodes.push({ op: 'add', inputs: [acc, b], output: out });
          acc = out;
        });
        break;
      }
      case 'Concatenate': {
        const axis = c.axis as number;
        nodes.push({ op: 'concat', inputs: ins, output: y, axis: axis < 0 ? inShape.length + axis : axis });
        break;
      }
      case 'MaxPooling2D': {
        const kernel = pair(c.poolSize);
        const strides = c.strides ? pair(c.strides) : kernel;
        nodes.push({ op: 'maxpool', input: x, output: y, kernel, strides, pads: (c.padding === 'valid' ? [0, 0, 0, 0] : samePadding([inShape[1]!, inShape[2]!], kernel, strides)) as Pads });
        break;
      }
      case 'GlobalAveragePooling2D':
        if (c.keepDims) throw new ExportError(`cannot export layer '${layer.name}': keepDims is not supported`);
        nodes.push({ op: 'mean', input: x, output: y });
        break;
      case 'Flatten':
        nodes.push({ op: 'reshape', input: x, output: y, shape: [-1, inShape.slice(1).reduce((a, b) => a * b, 1)] });
        break;
      case 'Dense': {
        if (inShape.length !== 2) throw new ExportError(`cannot export layer '${layer.name}': Dense on a ${inShape.length}-D input`);
        const [kernel, b] = layer.getWeights();
        const units = c.units as number;
        nodes.push({ op: 'dense', input: x, output: y, weight: weight(kernel!), bias: b ? weight(b) : { shape: [units], data: new Float32Array(units) }, activation: activation(layer, c.activation) });
        break;
      }
      case 'Dropout':
        names.set(node.outputTensors[0]!.id, x); // the identity at inference
        values.delete(y);
        break;
      default:
        throw new ExportError(`cannot export layer '${layer.name}' (${layer.getClassName()}): export knows Conv2D, DepthwiseConv2D, BatchNormAct, Dense, pooling, Add, Concatenate, ChannelSlice, AttentionHeads, Flatten, Rescaling and Dropout; nothing was written`);
    }
  }

  const logits = names.get(model.outputs[0]!.id)!;
  const logitsShape = values.get(logits)!.shape;
  if (logitsShape.length !== 2) throw new ExportError(`cannot export model '${model.name}': its output is ${logitsShape.length}-D, a classifier's is [batch, classes]`);
  if (!softmax) return { input: 'images', output: logits, values, nodes };
  nodes.push({ op: 'softmax', input: logits, output: define('probs', logitsShape) });
  return { input: 'images', output: 'probs', values, nodes };

  /** AttentionHeads' call() written out in standard operations (reshape, transpose, split, matmul, softmax). */
  function lowerAttention(layer: AttentionHeads, qkv: string, shape: number[], [attended, v]: [string, string]): void {
    const { numHeads, keyDim, headDim } = layer;
    const [h, w] = [shape[1]!, shape[2]!];
    const n = h * w;
    const perHead = temp(layer.name, [-1, n, numHeads, 2 * keyDim + headDim]);
    const heads = temp(layer.name, [-1, numHeads, n, 2 * keyDim + headDim]);
    const [q, k, vh] = [keyDim, keyDim, headDim].map((d) => temp(layer.name, [-1, numHeads, n, d]));
    const scores = temp(layer.name, [-1, numHeads, n, n]);
    const scaled = temp(layer.name, [-1, numHeads, n, n]);
    const attn = temp(layer.name, [-1, numHeads, n, n]);
    const mixed = temp(layer.name, [-1, numHeads, n, headDim]);
    nodes.push(
      { op: 'reshape', input: qkv, output: perHead, shape: [-1, n, numHeads, 2 * keyDim + headDim] },
      { op: 'transpose', input: perHead, output: heads, perm: [0, 2, 1, 3] },
      { op: 'split', input: heads, outputs: [q!, k!, vh!], axis: 3, sizes: [keyDim, keyDim, headDim] },
      { op: 'matmul', inputs: [q!, k!], output: scores, transposeB: true },
      { op: 'mul', input: scores, output: scaled, value: keyDim ** -0.5 },
      { op: 'softmax', input: scaled, output: attn },
      { op: 'matmul', inputs: [attn, vh!], output: mixed, transposeB: false },
    );
    for (const [from, to] of [
      [mixed, attended],
      [vh!, v],
    ] as const) {
      const t = temp(layer.name, [-1, n, numHeads, headDim]);
      nodes.push({ op: 'transpose', input: from, output: t, perm: [0, 2, 1, 3] }, { op: 'reshape', input: t, output: to, shape: [-1, h, w, numHeads * headDim] });
    }
  }
}
