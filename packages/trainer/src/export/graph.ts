/**
 * The inference graph that export lowers a trained model to and that each format's writer reads: a short list of
 * standard operations over named values, weights folded in (Conv → BatchNorm → activation is one `conv`). Shapes
 * and axes are those of the tfjs model (NHWC, batch first, -1 for the batch); `image` values are 4-D feature maps,
 * which a writer may lay out otherwise (ONNX: NCHW), every other value is a plain tensor in this layout.
 */

export type Activation = 'linear' | 'relu' | 'silu';

/** Float weights in row-major order of `shape` (conv kernels [kh, kw, in, out], depthwise [kh, kw, c, 1], dense [in, out]). */
export interface Weight {
  shape: number[];
  data: Float32Array;
}

export interface ValueInfo {
  shape: number[];
  image: boolean;
}

/** Padding as [top, left, bottom, right]. */
export type Pads = [number, number, number, number];

export type GraphNode =
  | { op: 'scale'; input: string; output: string; scale: number; offset: number }
  | { op: 'conv'; input: string; output: string; weight: Weight; bias: Weight; strides: [number, number]; pads: Pads; depthwise: boolean; activation: Activation }
  | { op: 'affine'; input: string; output: string; scale: Weight; shift: Weight; activation: Activation }
  | { op: 'add'; inputs: [string, string]; output: string }
  | { op: 'concat'; inputs: string[]; output: string; axis: number }
  | { op: 'slice'; input: string; output: string; axis: number; begin: number; size: number }
  | { op: 'split'; input: string; outputs: string[]; axis: number; sizes: number[] }
  | { op: 'maxpool'; input: string; output: string; kernel: [number, number]; strides: [number, number]; pads: Pads }
  | { op: 'mean'; input: string; output: string }
  | { op: 'dense'; input: string; output: string; weight: Weight; bias: Weight; activation: Activation }
  | { op: 'reshape'; input: string; output: string; shape: number[] }
  | { op: 'transpose'; input: string; output: string; perm: number[] }
  | { op: 'matmul'; inputs: [string, string]; output: string; transposeB: boolean }
  | { op: 'mul'; input: string; output: string; value: number }
  | { op: 'softmax'; input: string; output: string };

export type GraphOp = GraphNode['op'];

export interface InferenceGraph {
  /** The input: raw 0–255 pixels, [batch, imgsz, imgsz, channels]. */
  input: string;
  /** The output: softmax probabilities, [batch, classes]. */
  output: string;
  values: Map<string, ValueInfo>;
  nodes: GraphNode[];
}

/** The names a node reads. */
export function nodeInputs(node: GraphNode): string[] {
  return 'inputs' in node ? node.inputs : [node.input];
}

/** The names a node writes. */
export function nodeOutputs(node: GraphNode): string[] {
  return 'outputs' in node ? node.outputs : [node.output];
}

/** The float weights a node holds, in a fixed order (what `half` and `int8` quantize). */
export function nodeWeights(node: GraphNode): Weight[] {
  switch (node.op) {
    case 'conv':
    case 'dense':
      return [node.weight, node.bias];
    case 'affine':
      return [node.scale, node.shift];
    default:
      return [];
  }
}

/** Weights of at least this many values are stored quantized by `half`/`int8`; biases and scales stay float32. */
export const QUANTIZE_MIN_SIZE = 256;

/** TensorFlow's `same` padding of a window over `size` (an odd total puts the extra pixel bottom/right), as [t, l, b, r]. */
export function samePadding(size: [number, number], kernel: [number, number], strides: [number, number]): Pads {
  const total = [0, 1].map((i) => Math.max((Math.ceil(size[i]! / strides[i]!) - 1) * strides[i]! + kernel[i]! - size[i]!, 0));
  return [Math.floor(total[0]! / 2), Math.floor(total[1]! / 2), Math.ceil(total[0]! / 2), Math.ceil(total[1]! / 2)];
}
