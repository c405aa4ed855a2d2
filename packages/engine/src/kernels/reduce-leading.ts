import * as tf from '@tensorflow/tfjs';
import { f32, size, type WasmKernel } from './wasm-util.js';

/**
 * Sum and Mean over leading axes (e.g. [N,H,W,C] → [C], BatchNorm's statistics and gradients): one pass adding
 * rows of C, where the stock kernel first transposes the whole tensor to put those axes last. Other reductions
 * go to the stock kernel.
 */
export function makeLeadingReduce(name: 'Sum' | 'Mean', stock: tf.KernelFunc): tf.KernelConfig {
  const kernel: WasmKernel = (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
    const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
    if (!leading || x.dtype !== 'float32') return stock(args as never) as tf.TensorInfo;
    const rows = size(x.shape.slice(0, axes.length));
    const inner = size(x.shape.slice(axes.length));
    const shape = keepDims ? x.shape.map((d, i) => (i < axes.length ? 1 : d)) : x.shape.slice(axes.length);
    const out = args.backend.makeOutput(shape, 'float32');
    const dst = f32(args.backend, out);
    const src = f32(args.backend, x);
    // Accumulate in float64 so long reductions keep float32 precision.
    const acc = new Float64Array(inner);
    for (let r = 0, o = 0; r < rows; r++, o += inner) for (let c = 0; c < inner; c++) acc[c]! += src[o + c]!;
    const scale = name === 'Mean' ? 1 / rows : 1;
    for (let c = 0; c < inner; c++) dst[c] = acc[c]! * scale;
    return out;
  };
  return { kernelName: name, backendName: 'wasm', kernelFunc: kernel as unknown as tf.KernelFunc };
}
