import * as tf from '@tensorflow/tfjs';
import { nativeKernels, ptr } from '../native.js';
import { matMul, view, type WasmKernel } from './wasm-util.js';

/**
 * dW of a 2-D convolution (NHWC) on wasm, which tfjs 4.22 does not provide, as one untransposed XNNPACK matmul
 * between native im2col (written transposed where needed) and transposes (M = n·oh·ow, K = kh·kw·ci; transposed matmuls are 10–20× slower on wasm).
 * The matmul's right operand is packed by XNNPACK on every call (its id is new each step) at a cost that dwarfs
 * the multiply when it has M rows, so the smaller of dy [M, Co] and cols [M, K] takes that place, and a short
 * patch (K ≤ 32) skips the matmul altogether (conv_dw_short in native/kernels.c):
 *   Co ≤ K: dW[K, Co] = colsᵀ[K, M] × dy[M, Co]       (dW's own layout, no output transpose)
 *   Co > K: dWᵀ[Co, K] = dyᵀ[Co, M] × cols[M, K]      (e.g. the 1-channel first layer, K = 9)
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
    const transposed = (t: tf.TensorInfo, rows: number, cols: number) => {
      const out = backend.makeOutput([1, cols, rows], 'float32');
      native.transpose2d(ptr(backend, t), ptr(backend, out), rows, cols, 1);
      return out;
    };

    const geometry = [n, H, W, ci, oh, ow, kh, kw, sh, sw, info.padInfo.top, info.padInfo.left] as const;
    if (K <= 32) {
      const dw = backend.makeOutput([...filterShape], 'float32');
      native.conv_dw_short(ptr(backend, x), ptr(backend, dy), ptr(backend, dw), n, H, W, ci, oh, ow, co, kh, kw, sh, sw, info.padInfo.top, info.padInfo.left);
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
    const dyT = transposed(dy, M, co);
    const dwT = matMul(backend, dyT, cols, batchMatMul);
    backend.disposeData(cols.dataId);
    backend.disposeData(dyT.dataId);
    const dw = transposed(dwT, co, K);
    backend.disposeData(dwT.dataId);
    return view(dw, [...filterShape]);
  };
  return { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: kernel as unknown as tf.KernelFunc };
}
