import * as tf from '@tensorflow/tfjs';
import { nativeGemm, nativeGemmWins, size, transposed, type WasmKernel } from './wasm-util.js';

/**
 * BatchMatMul. A single product with few rows (or on one thread) runs in native gemm, which reads transposed
 * operands where they lie. Otherwise XNNPACK's untransposed path runs: tfjs 4.22's transposed paths are 10–20×
 * slower (every Dense layer's backward pass asks for one), so operands are transposed natively first.
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
    if (!sameBatch || a.dtype !== 'float32') return stock({ inputs, backend, attrs } as never) as tf.TensorInfo;
    const [M, K] = (transposeA ? a.shape.slice(-2).reverse() : a.shape.slice(-2)) as [number, number];
    const N = (transposeB ? b.shape.at(-2) : b.shape.at(-1))!;
    if (batch === 1 && nativeGemmWins(M)) {
      return nativeGemm(backend, a, b, M, K, N, [...a.shape.slice(0, -2), M, N], { transA: transposeA, transB: transposeB });
    }
    if (!transposeA && !transposeB) return stock({ inputs, backend, attrs } as never) as tf.TensorInfo;

    const transposeOf = (t: tf.TensorInfo) => transposed(backend, t, batch);
    const temporaries: tf.TensorInfo[] = [];
    const temp = (t: tf.TensorInfo) => (temporaries.push(t), t);
    const mul = (x: tf.TensorInfo, y: tf.TensorInfo) => stock({ inputs: { a: x, b: y }, backend, attrs: { transposeA: false, transposeB: false } } as never) as tf.TensorInfo;

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
