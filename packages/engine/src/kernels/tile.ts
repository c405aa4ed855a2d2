import * as tf from '@tensorflow/tfjs';
import { f32, size, type WasmKernel } from './wasm-util.js';

/**
 * Tile where the result is the input repeated end to end (every repeated axis comes before the first axis of
 * size > 1, as in BatchNorm's gradient broadcasting [1,1,1,C] → [N,H,W,C]): filled by doubling copies.
 * Other tilings go to the stock kernel.
 */
export function makeTile(stock: tf.KernelFunc): tf.KernelConfig {
  const kernel: WasmKernel = (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { reps } = args.attrs as unknown as tf.TileAttrs;
    const firstReal = x.shape.findIndex((d) => d > 1);
    const contiguous = x.dtype === 'float32' && reps.every((r, i) => r === 1 || firstReal === -1 || i < firstReal);
    if (!contiguous) return stock(args as never) as tf.TensorInfo;
    const shape = x.shape.map((d, i) => d * reps[i]!);
    const out = args.backend.makeOutput(shape, 'float32');
    const dst = f32(args.backend, out);
    const block = size(x.shape);
    dst.set(f32(args.backend, x));
    for (let filled = block; filled < dst.length; filled *= 2) dst.copyWithin(filled, 0, Math.min(filled, dst.length - filled));
    return out;
  };
  return { kernelName: 'Tile', backendName: 'wasm', kernelFunc: kernel as unknown as tf.KernelFunc };
}
