import * as tf from '@tensorflow/tfjs';
import { nativeKernels, ptr } from '../native.js';
import { size, type WasmKernel } from './wasm-util.js';

/** Patches up to this length (kh·kw·ci) take the native path; longer ones are XNNPACK's strength. */
const SHORT_PATCH = 32;

/**
 * Conv2D and FusedConv2D (bias + linear/ReLU) for convolutions with a short patch — first layers on grayscale
 * or RGB images — in native code (conv_fwd_short, 16 output channels per pass); everything else goes to the
 * stock XNNPACK kernels.
 */
export function makeShortConv2D(kernelName: 'Conv2D' | 'FusedConv2D', stock: tf.KernelFunc): tf.KernelConfig {
  const kernel: WasmKernel = (args) => {
    const { backend } = args;
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const attrs = args.attrs as unknown as tf.FusedConv2DAttrs;
    const activation = attrs.activation ?? 'linear';
    const dilated = tf.backend_util.tupleValuesAreOne(attrs.dilations) === false;
    const patch = size(filter!.shape.slice(0, 3));
    const fusable = activation === 'linear' || activation === 'relu';
    if (patch > SHORT_PATCH || filter!.shape[3]! % 16 !== 0 || dilated || attrs.dataFormat === 'NCHW' || !fusable || preluActivationWeights || (bias && size(bias.shape) !== filter!.shape[3])) {
      return stock(args as never) as tf.TensorInfo;
    }
    const info = tf.backend_util.computeConv2DInfo(x!.shape as [number, number, number, number], filter!.shape as [number, number, number, number], attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
    const out = backend.makeOutput([info.batchSize, info.outHeight, info.outWidth, info.outChannels], 'float32');
    nativeKernels(backend).conv_fwd_short(
      ptr(backend, x!), ptr(backend, filter!), bias ? ptr(backend, bias) : 0, ptr(backend, out),
      info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.outChannels,
      info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
      activation === 'relu' ? 1 : 0,
    );
    return out;
  };
  return { kernelName, backendName: 'wasm', kernelFunc: kernel as unknown as tf.KernelFunc };
}
