import * as tf from '@tensorflow/tfjs';
import { nativeKernels, ptr } from '../native.js';
import { isPointwise, matMul, nativeGemm, nativeGemmWins, transposed, view, type WasmKernel } from './wasm-util.js';

/**
 * dW of a 2-D convolution (NHWC) on wasm, which tfjs 4.22 does not provide (M = n·oh·ow, K = kh·kw·ci):
 *   - a short patch (K ≤ 32): conv_dw_short in native/kernels.c, no matmul at all;
 *   - where native gemm wins (few rows K, or one thread): dW[K, Co] = colsᵀ × dy, reading the im2col patches
 *     (x itself for a 1×1 conv) transposed where they lie;
 *   - else one untransposed XNNPACK matmul (its transposed paths are 10–20× slower on wasm). It packs its right
 *     operand on every call, so the smaller of dy [M, Co] and cols [M, K] takes that place:
 *       Co ≤ K: dW[K, Co] = colsᵀ[K, M] × dy[M, Co]       (im2col written transposed, dW in its own layout)
 *       Co > K: dWᵀ[Co, K] = dyᵀ[Co, M] × cols[M, K]      (then transposed back)
 */
export function makeConv2DBackpropFilter(batchMatMul: tf.KernelFunc): tf.KernelConfig {
  const kernel: WasmKernel = ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    if (dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter on wasm supports NHWC only');
    const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape as [number, number, number, number], strides, 1, pad, dimRoundingMode);
    const { batchSize: n, inHeight: H, inWidth: W, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
    const K = kh * kw * ci;
    const M = n * oh * ow;
    const native = nativeKernels(backend);

    const geometry = [n, H, W, ci, oh, ow, kh, kw, sh, sw, info.padInfo.top, info.padInfo.left] as const;
    if (K <= 32) {
      const dw = backend.makeOutput([...filterShape], 'float32');
      native.conv_dw_short(ptr(backend, x), ptr(backend, dy), ptr(backend, dw), n, H, W, ci, oh, ow, co, kh, kw, sh, sw, info.padInfo.top, info.padInfo.left);
      return dw;
    }
    if (nativeGemmWins(K)) {
      const pointwise = isPointwise(info);
      const cols = pointwise ? x : backend.makeOutput([M, K], 'float32');
      if (!pointwise) native.im2col(ptr(backend, x), ptr(backend, cols), ...geometry);
      const dw = nativeGemm(backend, cols, dy, K, M, co, [...filterShape], { transA: true });
      if (!pointwise) backend.disposeData(cols.dataId);
      return dw;
    }
    if (co <= K) {
      const colsT = backend.makeOutput([1, K, M], 'float32');
      native.im2col_t(ptr(backend, x), ptr(backend, colsT), ...geometry);
      const dw = matMul(backend, colsT, view(dy, [1, M, co]), batchMatMul);
      backend.disposeData(colsT.dataId);
      return view(dw, [...filterShape]);
    }
    const cols = backend.makeOutput([1, M, K], 'float32');
    native.im2col(ptr(backend, x), ptr(backend, cols), ...geometry);
    const dyT = transposed(backend, view(dy, [1, M, co]));
    const dwT = matMul(backend, dyT, cols, batchMatMul);
    backend.disposeData(cols.dataId);
    backend.disposeData(dyT.dataId);
    const dw = transposed(backend, view(dwT, [1, co, K]));
    backend.disposeData(dwT.dataId);
    return view(dw, [...filterShape]);
  };
  return { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: kernel as unknown as tf.KernelFunc };
}
