import * as tf from '@tensorflow/tfjs';
import { conv2DBackpropFilterConfig } from './kernels/conv2d-backprop-filter.js';

/** Kernels that tfjs 4.22's wasm backend lacks for training, registered once per process. */
const KERNELS: tf.KernelConfig[] = [conv2DBackpropFilterConfig];

let registered = false;

/** Registers yolo-ts's training kernels on the wasm backend. Idempotent. */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  for (const config of KERNELS) {
    // A later tfjs may ship its own kernel: keep ours only where there is none.
    if (!tf.getKernel(config.kernelName, 'wasm')) tf.registerKernel(config);
  }
  registered = true;
}
