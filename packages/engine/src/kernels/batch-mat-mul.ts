import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { WasmKernel } from './wasm-util.js';

/**
 * BatchMatMul with transposed operands runs 10–20× slower than without on tfjs 4.22's wasm backend (every Dense
 * layer's backward pass asks for one): transpose the operand explicitly, then take XNNPACK's untransposed path.
 */
export function makeBatchMatMul(stock: tf.KernelFunc, transpose: tf.KernelFunc): tf.KernelConfig {
  const swapLast = (backend: BackendWasm, t: tf.TensorInfo) => {
    const perm = t.shape.map((_, i) => i);
    [perm[perm.length - 1], perm[perm.length - 2]] = [perm[perm.length - 2]!, perm[perm.length - 1]!];
    return transpose({ inputs: { x: t }, backend, attrs: { perm } }) as tf.TensorInfo;
  };
  const kernel: WasmKernel = ({ inputs, backend, attrs }) => {
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
    if (!transposeA && !transposeB) return stock({ inputs, backend, attrs } as never) as tf.TensorInfo;
    const a2 = transposeA ? swapLast(backend, a) : a;
    const b2 = transposeB ? swapLast(backend, b) : b;
    const out = stock({ inputs: { a: a2, b: b2 }, backend, attrs: { transposeA: false, transposeB: false } } as never) as tf.TensorInfo;
    if (transposeA) backend.disposeData(a2.dataId);
    if (transposeB) backend.disposeData(b2.dataId);
    return out;
  };
  return { kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc: kernel as unknown as tf.KernelFunc };
}
