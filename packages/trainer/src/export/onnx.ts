import onnxProto from 'onnx-proto';
import type { GraphNode, InferenceGraph } from './graph.js';
import { QUANTIZE_MIN_SIZE } from './graph.js';
import { quantizeInt8, toFloat16, type Precision } from './quantize.js';

const { onnx } = onnxProto;
const DT = onnx.TensorProto.DataType;
const AT = onnx.AttributeProto.AttributeType;

/** The opset written: 17 has every operator used here in its current form (Split's sizes as an input, Softmax on one axis). */
export const ONNX_OPSET = 17;

export interface OnnxOptions {
  precision: Precision;
  /** Fixed batch of the input and output; null for a dynamic `batch` axis. */
  batch: number | null;
  /** Written as the model's metadata_props (Ultralytics stores names, imgsz, task, ... there). */
  metadata: Record<string, string>;
  producerVersion: string;
}

/** NHWC axis → NCHW axis. */
const NCHW_AXIS = [0, 2, 3, 1];

/** Row-major `data` of `shape` permuted by `perm` (out dim i = in dim perm[i]). */
export function permute(data: Float32Array, shape: number[], perm: number[]): Float32Array {
  const outShape = perm.map((p) => shape[p]!);
  const inStrides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out = new Float32Array(data.length);
  const idx = new Array<number>(shape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let i = 0; i < perm.length; i++) src += idx[i]! * inStrides[perm[i]!]!;
    out[o] = data[src]!;
    for (let i = perm.length - 1; i >= 0; i--) {
      if (++idx[i]! < outShape[i]!) break;
      idx[i] = 0;
    }
  }
  return out;
}

const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/**
 * Writes an InferenceGraph as an ONNX model (opset 17), NCHW as Ultralytics exports: feature maps (`image` values)
 * are laid out NCHW, conv kernels transposed to [out, in, kh, kw], and a value that leaves the feature-map layout
 * (Flatten, the attention's reshape) is transposed back to NHWC first, so every reshape sees the tfjs model's
 * element order. `fp16` stores large weights as float16 with a Cast, `int8` as int8 with a DequantizeLinear: both
 * are turned back into float32 when the runtime loads the model.
 */
export function writeOnnx(graph: InferenceGraph, options: OnnxOptions): Uint8Array {
  const nodes: onnxProto.onnx.INodeProto[] = [];
  const initializers: onnxProto.onnx.ITensorProto[] = [];
  let count = 0;
  const fresh = (base: string) => `${base}/${count++}`;
  const toNhwc = new Map<string, string>();
  const image = (v: string) => graph.values.get(v)!.image;

  const node = (op: string, input: string[], output: string[], attrs: Record<string, number | number[]> = {}) => {
    const attribute = Object.entries(attrs).map(([name, v]) => (Array.isArray(v) ? { name, type: AT.INTS, ints: v } : Number.isInteger(v) ? { name, type: AT.INT, i: v } : { name, type: AT.FLOAT, f: v }));
    nodes.push({ opType: op, input, output, name: `${op}/${count++}`, attribute });
    return output[0]!;
  };
  const init = (name: string, dataType: number, dims: number[], raw: Uint8Array) => {
    initializers.push({ name, dataType, dims, rawData: raw });
    return name;
  };
  const floats = (base: string, dims: number[], data: Float32Array) => init(fresh(base), DT.FLOAT, dims, bytes(data));
  const int64s = (base: string, xs: number[]) => init(fresh(base), DT.INT64, [xs.length], bytes(BigInt64Array.from(xs.map(BigInt))));
  const scalar = (base: string, v: number) => init(fresh(base), DT.FLOAT, [], bytes(Float32Array.of(v)));

  /** A weight as an initializer, stored at the chosen precision when large, as float32 in the graph either way. */
  const weight = (base: string, dims: number[], data: Float32Array): string => {
    if (data.length < QUANTIZE_MIN_SIZE || options.precision === 'fp32') return floats(base, dims, data);
    if (options.precision === 'fp16') return node('Cast', [init(fresh(base), DT.FLOAT16, dims, bytes(toFloat16(data)))], [fresh(base)], { to: DT.FLOAT });
    const { values, scale } = quantizeInt8(data);
    const q = init(fresh(base), DT.INT8, dims, bytes(values));
    return node('DequantizeLinear', [q, scalar(base, scale), init(fresh(base), DT.INT8, [], Uint8Array.of(0))], [fresh(base)]);
  };
  /** `value` in NHWC order (a feature map is transposed once, the result reused). */
  const nhwc = (value: string) => {
    if (!image(value)) return value;
    if (!toNhwc.has(value)) toNhwc.set(value, node('Transpose', [value], [fresh(value)], { perm: [0, 2, 3, 1] }));
    return toNhwc.get(value)!;
  };
  const activate = (x: string, act: string, out: string) => {
    if (act === 'relu') return node('Relu', [x], [out]);
    if (act === 'silu') return node('Mul', [x, node('Sigmoid', [x], [fresh(out)])], [out]);
    return node('Identity', [x], [out]);
  };
  const axisOf = (value: string, axis: number) => (image(value) ? NCHW_AXIS[axis]! : axis);

  for (const n of graph.nodes) lower(n);

  const inShape = graph.values.get(graph.input)!.shape;
  const classes = graph.values.get(graph.output)!.shape[1]!;
  const batchDim = options.batch === null ? { dimParam: 'batch' } : { dimValue: options.batch };
  const tensorType = (dims: ({ dimParam: string } | { dimValue: number })[]) => ({ tensorType: { elemType: DT.FLOAT, shape: { dim: dims } } });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'yolo-ts',
    producerVersion: options.producerVersion,
    metadataProps: Object.entries(options.metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: 'yolo-ts',
      node: nodes,
      initializer: initializers,
      input: [{ name: graph.input, type: tensorType([batchDim, { dimValue: inShape[3]! }, { dimValue: inShape[1]! }, { dimValue: inShape[2]! }]) }],
      output: [{ name: graph.output, type: tensorType([batchDim, { dimValue: classes }]) }],
    },
  });
  return onnx.ModelProto.encode(model).finish();

  function lower(n: GraphNode): void {
    switch (n.op) {
      case 'scale': {
        const scaled = node('Mul', [n.input, scalar(n.output, n.scale)], [n.offset ? fresh(n.output) : n.output]);
        if (n.offset) node('Add', [scaled, scalar(n.output, n.offset)], [n.output]);
        return;
      }
      case 'conv': {
        const [kh, kw, ci, co] = n.weight.shape as [number, number, number, number];
        const channels = n.depthwise ? ci : co;
        const dims = n.depthwise ? [ci, 1, kh, kw] : [co, ci, kh, kw];
        const w = weight(n.output, dims, permute(n.weight.data, n.weight.shape, n.depthwise ? [2, 3, 0, 1] : [3, 2, 0, 1]));
        const conv = node('Conv', [n.input, w, floats(n.output, [channels], n.bias.data)], [n.activation === 'linear' ? n.output : fresh(n.output)], {
          kernel_shape: [kh, kw],
          strides: n.strides,
          pads: n.pads,
          dilations: [1, 1],
          group: n.depthwise ? ci : 1,
        });
        if (n.activation !== 'linear') activate(conv, n.activation, n.output);
        return;
      }
      case 'affine': {
        const c = n.scale.shape[0]!;
        const dims = image(n.input) ? [1, c, 1, 1] : [c];
        const scaled = node('Mul', [n.input, floats(n.output, dims, n.scale.data)], [fresh(n.output)]);
        activate(node('Add', [scaled, floats(n.output, dims, n.shift.data)], [fresh(n.output)]), n.activation, n.output);
        return;
      }
      case 'add':
        node('Add', n.inputs, [n.output]);
        return;
      case 'concat':
        node('Concat', n.inputs, [n.output], { axis: axisOf(n.inputs[0]!, n.axis) });
        return;
      case 'slice': {
        const axis = axisOf(n.input, n.axis);
        node('Slice', [n.input, int64s(n.output, [n.begin]), int64s(n.output, [n.begin + n.size]), int64s(n.output, [axis])], [n.output]);
        return;
      }
      case 'split':
        node('Split', [n.input, int64s(n.outputs[0]!, n.sizes)], n.outputs, { axis: axisOf(n.input, n.axis) });
        return;
      case 'maxpool':
        node('MaxPool', [n.input], [n.output], { kernel_shape: n.kernel, strides: n.strides, pads: n.pads });
        return;
      case 'mean':
        node('Flatten', [node('GlobalAveragePool', [n.input], [fresh(n.output)])], [n.output], { axis: 1 });
        return;
      case 'dense': {
        const [inputs, units] = n.weight.shape as [number, number];
        const gemm = node('Gemm', [n.input, weight(n.output, [inputs, units], n.weight.data), floats(n.output, [units], n.bias.data)], [n.activation === 'linear' ? n.output : fresh(n.output)]);
        if (n.activation !== 'linear') activate(gemm, n.activation, n.output);
        return;
      }
      case 'reshape': {
        const shaped = node('Reshape', [nhwc(n.input), int64s(n.output, n.shape)], [image(n.output) ? fresh(n.output) : n.output]);
        if (image(n.output)) node('Transpose', [shaped], [n.output], { perm: [0, 3, 1, 2] });
        return;
      }
      case 'transpose':
        node('Transpose', [nhwc(n.input)], [n.output], { perm: n.perm });
        return;
      case 'matmul': {
        const [a, b] = n.inputs;
        const rank = graph.values.get(b)!.shape.length;
        const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
        node('MatMul', [a, n.transposeB ? node('Transpose', [b], [fresh(b)], { perm }) : b], [n.output]);
        return;
      }
      case 'mul':
        node('Mul', [n.input, scalar(n.output, n.value)], [n.output]);
        return;
      case 'softmax':
        node('Softmax', [nhwc(n.input)], [n.output], { axis: -1 });
        return;
    }
  }
}

