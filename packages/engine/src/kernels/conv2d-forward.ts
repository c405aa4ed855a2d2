import * as tf from '@tensorflow/tfjs';
import { ptr } from '../native.js';
import { imagesPerThread, nativeGemm, nativeGemmWins, size, splitNative, view, type WasmKernel } from './wasm-util.js';

/** Patches up to this length (kh·kw·ci) take conv_fwd_short; longer ones are a matmul's job. */
const SHORT_PATCH = 32;

/**
 * Conv2D and FusedConv2D (bias + linear/ReLU), NHWC, undilated, in native code where it beats XNNPACK's conv:
 *   - a short patch (first layers on grayscale or RGB images): conv_fwd_short, 16 output channels per pass;
 *   - few output positions, or one thread (replica workers): native gemm on x itself for a 1×1 stride-1 conv,
 *     else on its im2col patches. XNNPACK would repack the filter, new each training step, on every call.
 * Everything else goes to the stock kernel.
 */
export function makeConv2DForward(kernelName: 'Conv2D' | 'FusedConv2D', stock: tf.KernelFunc): tf.KernelConfig {
  const kernel: WasmKernel = (args) => {
    const { backend } = args;
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const attrs = args.attrs as unknown as tf.FusedConv2DAttrs;
    const activation = attrs.activation ?? 'linear';
    const dilated = tf.backend_util.tupleValuesAreOne(attrs.dilations) === false;
    const fusable = activation === 'linear' || activation === 'relu';
    if (dilated || attrs.dataFormat === 'NCHW' || !fusable || preluActivationWeights || (bias && size(bias.shape) !== filter!.shape[3])) {
      return stock(args as never) as tf.TensorInfo;
    }
    const info = tf.backend_util.computeConv2DInfo(x!.shape as [number, number, number, number], filter!.shape as [number, number, number, number], attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
    const { batchSize: n, inHeight: H, inWidth: W, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
    const { top, left } = info.padInfo;
    const K = kh * kw * ci;
    const M = n * oh * ow;
    const relu = activation === 'relu';
    const outShape = [n, oh, ow, co];
    if (K <= SHORT_PATCH && co % 16 === 0) {
      const out = backend.makeOutput(outShape, 'float32');
      const [px, pout] = [ptr(backend, x!), ptr(backend, out)];
      splitNative(backend, 'conv_fwd_short', n, imagesPerThread(oh * ow * co * K), (lo, hi) =>
        [px + 4 * lo * H * W * ci, ptr(backend, filter!), bias ? ptr(backend, bias) : 0, pout + 4 * lo * oh * ow * co, hi - lo, H, W, ci, oh, ow, co, kh, kw, sh, sw, top, left, relu ? 1 : 0]);
      return out;
    }
    if (!nativeGemmWins(M)) return stock(args as never) as tf.TensorInfo;
    if (kh === 1 && kw === 1 && sh === 1 && sw === 1 && top === 0 && left === 0) {
      return nativeGemm(backend, x!, filter!, M, K, co, outShape, { bias, relu });
    }
    const cols = backend.makeOutput([M, K], 'float32');
    const [px, pcols] = [ptr(backend, x!), ptr(backend, cols)];
    splitNative(backend, 'im2col', n, imagesPerThread(oh * ow * K), (lo, hi) => [px + 4 * lo * H * W * ci, pcols + 4 * lo * oh * ow * K, hi - lo, H, W, ci, oh, ow, kh, kw, sh, sw, top, left]);
    const out = nativeGemm(backend, cols, view(filter!, [K, co]), M, K, co, outShape, { bias, relu });
    backend.disposeData(cols.dataId);
    return out;
  };
  return { kernelName, backendName: 'wasm', kernelFunc: kernel as unknown as tf.KernelFunc };
}
