import * as tf from '@tensorflow/tfjs';
import { nativeKernels, ptr, withScratch } from '../native.js';
import { size, type WasmKernel } from './wasm-util.js';

/**
 * Sum and Mean over leading axes (e.g. [N,H,W,C] → [C], BatchNorm's statistics and gradients): one native pass
 * adding rows, where the stock kernel first transposes the whole tensor to put those axes last. Other
 * reductions go to the stock kernel.
 */
export function makeLeadingReduce(name: 'Sum' | 'Mean', stock: tf.KernelFunc): tf.KernelConfig {
  const kernel: WasmKernel = (args) => {
    const { backend } = args;
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
    const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
    if (!leading || x.dtype !== 'float32') return stock(args as never) as tf.TensorInfo;
    const rows = size(x.shape.slice(0, axes.length));
    const inner = size(x.shape.slice(axes.length));
    const shape = keepDims ? x.shape.map((d, i) => (i < axes.length ? 1 : d)) : x.shape.slice(axes.length);
    const out = backend.makeOutput(shape, 'float32');
    withScratch(backend, 8 * inner, (acc) => nativeKernels(backend).reduce_rows(ptr(backend, x), ptr(backend, out), rows, inner, name === 'Mean' ? 1 / rows : 1, acc));
    return out;
  };
  return { kernelName: name, backendName: 'wasm', kernelFunc: kernel as unknown as tf.KernelFunc };
}
