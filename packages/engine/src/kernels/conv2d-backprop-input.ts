import * as tf from '@tensorflow/tfjs';
import { ptr } from '../native.js';
import { imagesPerThread, isPointwise, matMul, splitNative, view, type WasmKernel } from './wasm-util.js';

/**
 * dx of a 2-D convolution (NHWC) as one matmul and a native col2im: cols[M, K] = dy[M, Co] × Wᵀ[Co, K] (W read
 * transposed where it lies; M = n·oh·ow, K = kh·kw·ci), then each patch row is added back where it came from
 * (for a 1×1 stride-1 conv cols is dx itself). Every stride costs the forward conv's arithmetic: no zeros are
 * inserted for stride 2, unlike tfjs 4.22's naive wasm loop.
 */
export function makeConv2DBackpropInput(batchMatMul: tf.KernelFunc): tf.KernelConfig {
  const kernel: WasmKernel = ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    if (dataFormat === 'NCHW') throw new Error('Conv2DBackpropInput on wasm supports NHWC only');
    const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode);
    const { batchSize: n, inHeight: H, inWidth: W, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
    const K = kh * kw * ci;
    const M = n * oh * ow;

    const cols = matMul(backend, view(dy, [1, M, co]), view(filter, [1, K, co]), batchMatMul, true);
    if (isPointwise(info)) return view(cols, [...inputShape]);
    const dx = backend.makeOutput([...inputShape], 'float32');
    const [pcols, pdx] = [ptr(backend, cols), ptr(backend, dx)];
    splitNative(backend, 'col2im', n, imagesPerThread(oh * ow * K), (lo, hi) => [pcols + 4 * lo * oh * ow * K, pdx + 4 * lo * H * W * ci, hi - lo, H, W, ci, oh, ow, kh, kw, sh, sw, info.padInfo.top, info.padInfo.left]);
    backend.disposeData(cols.dataId);
    return dx;
  };
  return { kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: kernel as unknown as tf.KernelFunc };
}
