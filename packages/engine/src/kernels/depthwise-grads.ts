import * as tf from '@tensorflow/tfjs';
import { nativeKernels, ptr } from '../native.js';
import type { WasmKernel } from './wasm-util.js';

/** DepthwiseConv2dNativeBackpropInput / ...Filter on wasm (absent from tfjs 4.22), through depthwise_grads. */
function makeDepthwiseGrad(which: 'input' | 'filter'): tf.KernelConfig {
  const kernel: WasmKernel = ({ inputs, backend, attrs }) => {
    const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs & tf.DepthwiseConv2dNativeBackpropFilterAttrs;
    const { dy } = inputs as { dy: tf.TensorInfo };
    const x = which === 'filter' ? (inputs.x as tf.TensorInfo) : undefined;
    const filter = which === 'input' ? (inputs.filter as tf.TensorInfo) : undefined;
    const xShape = (x?.shape ?? a.inputShape) as [number, number, number, number];
    const fShape = (filter?.shape ?? a.filterShape) as [number, number, number, number];
    const info = tf.backend_util.computeConv2DInfo(xShape, fShape, a.strides, a.dilations, a.pad, a.dimRoundingMode, true);
    const out = backend.makeOutput(which === 'input' ? [...xShape] : [...fShape], 'float32');
    const p = (t: tf.TensorInfo | undefined) => (t ? ptr(backend, t) : 0);
    nativeKernels(backend).depthwise_grads(
      p(x), p(filter), p(dy), which === 'input' ? p(out) : 0, which === 'filter' ? p(out) : 0,
      info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, fShape[3],
      info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth,
      info.padInfo.top, info.padInfo.left,
    );
    return out;
  };
  const kernelName = which === 'input' ? 'DepthwiseConv2dNativeBackpropInput' : 'DepthwiseConv2dNativeBackpropFilter';
  return { kernelName, backendName: 'wasm', kernelFunc: kernel as unknown as tf.KernelFunc };
}

export const depthwiseGradConfigs = [makeDepthwiseGrad('input'), makeDepthwiseGrad('filter')];
