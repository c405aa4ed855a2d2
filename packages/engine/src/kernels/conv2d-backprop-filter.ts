import * as tf from '@tensorflow/tfjs';
import { nativeKernels, ptr } from '../native.js';
import { matMul, view, type WasmKernel } from './wasm-util.js';

/**
 * dW of a 2-D convolution (NHWC) on wasm, which tfjs 4.22 does not provide: dWᵀ[Co, K] = dyᵀ[Co, M] × cols[M, K]
 * (cols = im2col(x), M = n·oh·ow, K = kh·kw·ci), one untransposed XNNPACK matmul between native im2col and
 * transposes. Untransposed because transposed matmuls are 10–20× slower on wasm; im2col in rows because each
 * patch is then a contiguous copy of ci channels.
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

    const cols = backend.makeOutput([1, M, K], 'float32');
    native.im2col(ptr(backend, x), ptr(backend, cols), n, H, W, ci, oh, ow, kh, kw, sh, sw, info.padInfo.top, info.padInfo.left);
    const dyT = backend.makeOutput([1, co, M], 'float32');
    native.transpose2d(ptr(backend, dy), ptr(backend, dyT), M, co);
    const dwT = matMul(backend, dyT, cols, batchMatMul);
    backend.disposeData(cols.dataId);
    backend.disposeData(dyT.dataId);
    const dw = backend.makeOutput([...filterShape], 'float32');
    native.transpose2d(ptr(backend, dwT), ptr(backend, dw), co, K);
    backend.disposeData(dwT.dataId);
    return dw;
  };
  return { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: kernel as unknown as tf.KernelFunc };
}
