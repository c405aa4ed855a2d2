import * as tf from '@tensorflow/tfjs';
import { nativeKernels, ptr } from '../native.js';
import type { WasmKernel } from './wasm-util.js';

/** MaxPool backward (NHWC) in native code: each dy goes to the first maximum of its window, TensorFlow's rule. */
const maxPoolGrad: WasmKernel = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const dx = backend.makeOutput([...input.shape], 'float32');
  const native = nativeKernels(backend);
  const tiling = info.filterHeight === 2 && info.filterWidth === 2 && info.strideHeight === 2 && info.strideWidth === 2 && info.padInfo.top === 0 && info.padInfo.left === 0;
  if (tiling) {
    native.maxpool2x2_grad(ptr(backend, input), ptr(backend, dy), ptr(backend, dx), info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth);
    return dx;
  }
  native.maxpool_grad(
    ptr(backend, input), ptr(backend, dy), ptr(backend, dx),
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
  );
  return dx;
};

export const maxPoolGradConfig: tf.KernelConfig = { kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: maxPoolGrad as unknown as tf.KernelFunc };
