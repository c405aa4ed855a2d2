import type { GraphNode, InferenceGraph, Pads, Weight } from './graph.js';
import { QUANTIZE_MIN_SIZE, samePadding } from './graph.js';
import { quantizeInt8, toFloat16, type Precision } from './quantize.js';

/**
 * Writes an InferenceGraph as a tfjs graph model: TensorFlow's GraphDef in JSON (`modelTopology.node`) with its
 * constants in one weights file, as tensorflowjs_converter writes them, so stock `tf.loadGraphModel` runs it with
 * no custom op. Only ops tfjs-converter maps natively are used (Conv2D, DepthwiseConv2dNative and MatMul fused
 * with their bias, Sigmoid·x for SiLU, AddV2, ConcatV2, Slice, SplitV, MaxPool, Mean, Reshape, Transpose,
 * BatchMatMulV2, Softmax). `fp16` and `int8` store large weights with tfjs' weight quantization (float16, or
 * uint8 with a scale and minimum per tensor), which tfjs dequantizes at load.
 */

interface TfNode {
  name: string;
  op: string;
  input: string[];
  attr: Record<string, unknown>;
}

interface WeightEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  quantization?: { dtype: 'float16' } | { dtype: 'uint8'; scale: number; min: number; original_dtype: 'float32' };
}

export interface TfjsGraphArtifacts {
  modelTopology: { node: TfNode[]; library: object; versions: { producer: number } };
  weightSpecs: WeightEntry[];
  weightData: Uint8Array;
}

const b64 = (s: string) => btoa(s); // attribute strings are ASCII op and padding names
const ints = (xs: number[]) => ({ list: { i: xs.map(String) } });
const str = (s: string) => ({ s: b64(s) });
const FLOAT = { type: 'DT_FLOAT' };

function paddingAttrs(pads: Pads, same: Pads): Record<string, unknown> {
  if (pads.every((p) => p === 0)) return { padding: str('VALID') };
  if (pads.every((p, i) => p === same[i])) return { padding: str('SAME') };
  const [t, l, b, r] = pads;
  return { padding: str('EXPLICIT'), explicit_paddings: ints([0, 0, t, b, l, r, 0, 0]) };
}


export function writeTfjsGraph(graph: InferenceGraph, precision: Precision, batch: number | null): TfjsGraphArtifacts {
  const nodes: TfNode[] = [];
  const specs: WeightEntry[] = [];
  const chunks: Uint8Array[] = [];
  let count = 0;
  // tfjs names a node's k-th output `name:k`; value names from the graph are made safe for node names.
  const id = (value: string) => value.replace(/[^A-Za-z0-9_.\-/]/g, '_');
  const ref = new Map<string, string>();
  const read = (value: string) => ref.get(value) ?? id(value);

  const constant = (base: string, shape: number[], data: Float32Array | Int32Array, quantize = false): string => {
    const name = `${base}/const${count++}`;
    const float = data instanceof Float32Array;
    nodes.push({ name, op: 'Const', input: [], attr: { value: { tensor: { dtype: float ? 'DT_FLOAT' : 'DT_INT32', tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } }, dtype: { type: float ? 'DT_FLOAT' : 'DT_INT32' } } });
    const entry: WeightEntry = { name, shape, dtype: float ? 'float32' : 'int32' };
    if (float && quantize && precision === 'fp16') {
      entry.quantization = { dtype: 'float16' };
      chunks.push(new Uint8Array(toFloat16(data).buffer));
    } else if (float && quantize && precision === 'int8') {
      const { values, scale } = quantizeInt8(data);
      entry.quantization = { dtype: 'uint8', scale, min: -128 * scale, original_dtype: 'float32' };
      chunks.push(Uint8Array.from(values, (q) => q + 128));
    } else {
      chunks.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
    specs.push(entry);
    return name;
  };
  const weightConst = (base: string, w: Weight) => constant(base, w.shape, w.data, w.data.length >= QUANTIZE_MIN_SIZE);
  const scalar = (base: string, v: number) => constant(base, [], Float32Array.of(v));
  const intConst = (base: string, xs: number[]) => constant(base, [xs.length], Int32Array.from(xs));
  const axisConst = (base: string, axis: number) => constant(base, [], Int32Array.of(axis));
  const emit = (name: string, op: string, input: string[], attr: Record<string, unknown> = {}) => {
    nodes.push({ name, op, input, attr });
    return name;
  };
  /** `value` through an activation: fused ops take relu; SiLU is x·sigmoid(x). */
  const silu = (base: string, x: string, out: string) => emit(out, 'Mul', [x, emit(`${base}/sigmoid`, 'Sigmoid', [x], { T: FLOAT })], { T: FLOAT });

  const shape = graph.values.get(graph.input)!.shape;
  emit(id(graph.input), 'Placeholder', [], { dtype: FLOAT, shape: { shape: { dim: [batch ?? -1, ...shape.slice(1)].map((d) => ({ size: String(d) })) } } });

  for (const n of graph.nodes) lower(n);
  return { modelTopology: { node: nodes, library: {}, versions: { producer: 1 } }, weightSpecs: specs, weightData: concat(chunks) };

  function lower(n: GraphNode): void {
    switch (n.op) {
      case 'scale': {
        const out = id(n.output);
        const scaled = emit(n.offset ? `${out}/mul` : out, 'Mul', [read(n.input), scalar(out, n.scale)], { T: FLOAT });
        if (n.offset) emit(out, 'AddV2', [scaled, scalar(out, n.offset)], { T: FLOAT });
        return;
      }
      case 'conv': {
        const out = id(n.output);
        const [kh, kw] = n.weight.shape as [number, number];
        const inShape = graph.values.get(n.input)!.shape;
        const fusedOps = n.activation === 'relu' ? ['BiasAdd', 'Relu'] : ['BiasAdd'];
        const attr = {
          T: FLOAT,
          strides: ints([1, ...n.strides, 1]),
          dilations: ints([1, 1, 1, 1]),
          data_format: str('NHWC'),
          fused_ops: { list: { s: fusedOps.map(b64) } },
          num_args: { i: '1' },
          ...paddingAttrs(n.pads, samePadding([inShape[1]!, inShape[2]!], [kh, kw], n.strides)),
        };
        const conv = emit(n.activation === 'silu' ? `${out}/conv` : out, n.depthwise ? 'FusedDepthwiseConv2dNative' : '_FusedConv2D', [read(n.input), weightConst(out, n.weight), weightConst(out, n.bias)], attr);
        if (n.activation === 'silu') silu(out, conv, out);
        return;
      }
      case 'affine': {
        const out = id(n.output);
        const scaled = emit(`${out}/scale`, 'Mul', [read(n.input), weightConst(out, n.scale)], { T: FLOAT });
        const shifted = emit(n.activation === 'linear' ? out : `${out}/shift`, 'AddV2', [scaled, weightConst(out, n.shift)], { T: FLOAT });
        if (n.activation === 'relu') emit(out, 'Relu', [shifted], { T: FLOAT });
        if (n.activation === 'silu') silu(out, shifted, out);
        return;
      }
      case 'add':
        emit(id(n.output), 'AddV2', n.inputs.map(read), { T: FLOAT });
        return;
      case 'concat':
        emit(id(n.output), 'ConcatV2', [...n.inputs.map(read), axisConst(id(n.output), n.axis)], { T: FLOAT, N: { i: String(n.inputs.length) } });
        return;
      case 'slice': {
        const rank = graph.values.get(n.input)!.shape.length;
        const begin = Array.from({ length: rank }, (_, i) => (i === n.axis ? n.begin : 0));
        const size = Array.from({ length: rank }, (_, i) => (i === n.axis ? n.size : -1));
        const out = id(n.output);
        emit(out, 'Slice', [read(n.input), intConst(out, begin), intConst(out, size)], { T: FLOAT, Index: { type: 'DT_INT32' } });
        return;
      }
      case 'split': {
        const out = id(n.outputs[0]!);
        emit(out, 'SplitV', [read(n.input), intConst(out, n.sizes), axisConst(out, n.axis)], { T: FLOAT, num_split: { i: String(n.sizes.length) } });
        n.outputs.forEach((o, k) => ref.set(o, k === 0 ? out : `${out}:${k}`));
        return;
      }
      case 'maxpool': {
        const inShape = graph.values.get(n.input)!.shape;
        const pad = paddingAttrs(n.pads, samePadding([inShape[1]!, inShape[2]!], n.kernel, n.strides));
        if (pad.explicit_paddings) throw new Error(`${n.output}: tfjs' MaxPool takes only SAME or VALID padding`);
        emit(id(n.output), 'MaxPool', [read(n.input)], { T: FLOAT, ksize: ints([1, ...n.kernel, 1]), strides: ints([1, ...n.strides, 1]), data_format: str('NHWC'), ...pad });
        return;
      }
      case 'mean':
        emit(id(n.output), 'Mean', [read(n.input), intConst(id(n.output), [1, 2])], { T: FLOAT, keep_dims: { b: false } });
        return;
      case 'dense': {
        const out = id(n.output);
        const fusedOps = n.activation === 'relu' ? ['BiasAdd', 'Relu'] : ['BiasAdd'];
        const mm = emit(n.activation === 'silu' ? `${out}/matmul` : out, '_FusedMatMul', [read(n.input), weightConst(out, n.weight), weightConst(out, n.bias)], {
          T: FLOAT,
          transpose_a: { b: false },
          transpose_b: { b: false },
          fused_ops: { list: { s: fusedOps.map(b64) } },
          num_args: { i: '1' },
        });
        if (n.activation === 'silu') silu(out, mm, out);
        return;
      }
      case 'reshape':
        emit(id(n.output), 'Reshape', [read(n.input), intConst(id(n.output), n.shape)], { T: FLOAT });
        return;
      case 'transpose':
        emit(id(n.output), 'Transpose', [read(n.input), intConst(id(n.output), n.perm)], { T: FLOAT });
        return;
      case 'matmul':
        emit(id(n.output), 'BatchMatMulV2', n.inputs.map(read), { T: FLOAT, adj_x: { b: false }, adj_y: { b: n.transposeB } });
        return;
      case 'mul':
        emit(id(n.output), 'Mul', [read(n.input), scalar(id(n.output), n.value)], { T: FLOAT });
        return;
      case 'softmax':
        emit(id(n.output), 'Softmax', [read(n.input)], { T: FLOAT });
        return;
    }
  }

}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((a, c) => a + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
