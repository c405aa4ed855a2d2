import * as tf from '@tensorflow/tfjs';
import type { WasmKernel } from './wasm-util.js';

/**
 * Identity without a copy: the output shares the input's heap buffer under the backend's reference count, as
 * tfjs' own Reshape does. tfjs 4.22's wasm Identity copies the whole tensor, and training calls it for every
 * layer output that is reused (gradients of sums, model outputs).
 */
const identity: WasmKernel = ({ inputs, backend }) => {
  const { x } = inputs as { x: tf.TensorInfo };
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
};

export const identityConfig: tf.KernelConfig = { kernelName: 'Identity', backendName: 'wasm', kernelFunc: identity as unknown as tf.KernelFunc };
