import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeKernels, ptr } from '../native.js';
import { size, type WasmKernel } from './wasm-util.js';

/**
 * BatchMatMul with transposed operands runs 10–20× slower than without on tfjs 4.22's wasm backend (every Dense
 * layer's backward pass asks for one), so operands are transposed natively and XNNPACK's untransposed path runs.
 * That path packs its right operand on every call, which costs more than the multiply for a large matrix, so
 * for a·bᵀ the cheaper of two equal results is taken:
 *   a·bᵀ       packs bᵀ (N·K)                               e.g. a Dense layer's input gradient dy·Wᵀ:
 *   (b·aᵀ)ᵀ    packs aᵀ (M·K) and transposes the result      W is large, the batch dy small.
 */
export function makeBatchMatMul(stock: tf.KernelFunc): tf.KernelConfig {
  const kernel: WasmKernel = ({ inputs, backend, attrs }) => {
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
    const batch = size(a.shape.slice(0, -2));
    const sameBatch = a.shape.length === b.shape.length && batch === size(b.shape.slice(0, -2));
    if ((!transposeA && !transposeB) || !sameBatch || a.dtype !== 'float32') return stock({ inputs, backend, attrs } as never) as tf.TensorInfo;

    const native = nativeKernels(backend);
    /** [..., r, c] → [..., c, r] in a new buffer. */
    const transposeOf = (t: tf.TensorInfo) => {
      const [r, c] = t.shape.slice(-2) as [number, number];
      const out = backend.makeOutput([...t.shape.slice(0, -2), c, r], 'float32');
      native.transpose2d(ptr(backend, t), ptr(backend, out), r, c, batch);
      return out;
    };
    const temporaries: tf.TensorInfo[] = [];
    const temp = (t: tf.TensorInfo) => (temporaries.push(t), t);
    const mul = (x: tf.TensorInfo, y: tf.TensorInfo) => stock({ inputs: { a: x, b: y }, backend, attrs: { transposeA: false, transposeB: false } } as never) as tf.TensorInfo;

    const [M, K] = (transposeA ? a.shape.slice(-2).reverse() : a.shape.slice(-2)) as [number, number];
    const N = (transposeB ? b.shape.at(-2) : b.shape.at(-1))!;
    const aPlain = () => (transposeA ? temp(transposeOf(a)) : a); // [.., M, K]
    let out: tf.TensorInfo;
    if (!transposeB) {
      out = mul(aPlain(), b);
    } else if (N * K * 2 + (transposeA ? M * K : 0) <= (transposeA ? 0 : M * K) + M * K + M * N) {
      out = mul(aPlain(), temp(transposeOf(b)));
    } else {
      out = transposeOf(temp(mul(b, transposeA ? a : temp(transposeOf(a))))); // (b·aᵀ)ᵀ
    }
    for (const t of temporaries) backend.disposeData(t.dataId);
    return out;
  };
  return { kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc: kernel as unknown as tf.KernelFunc };
}
