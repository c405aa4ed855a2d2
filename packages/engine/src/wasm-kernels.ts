import * as tf from '@tensorflow/tfjs';
import { adamUpdateConfig, emaUpdateConfig } from './kernels/adam.js';
import { makeBatchMatMul } from './kernels/batch-mat-mul.js';
import { batchNormActKernels } from './kernels/batch-norm-act.js';
import { makeConv2DBackpropFilter } from './kernels/conv2d-backprop-filter.js';
import { makeConv2DBackpropInput } from './kernels/conv2d-backprop-input.js';
import { makeConv2DForward } from './kernels/conv2d-forward.js';
import { filterGradWithLiveTaps, forwardWithLiveTaps, inputGradWithLiveTaps } from './kernels/live-taps.js';
import { depthwiseGradConfigs } from './kernels/depthwise-grads.js';
import { identityConfig } from './kernels/identity.js';
import { maxPoolGradConfig } from './kernels/max-pool-grad.js';
import { makeLeadingReduce } from './kernels/reduce-leading.js';
import { makeConcat, makeSlice, makeSplitV } from './kernels/slice-concat.js';
import { makeTile } from './kernels/tile.js';

let registered = false;

/**
 * Registers yolo-ts's training kernels on tfjs 4.22's wasm backend: the missing Conv2DBackpropFilter, and
 * replacements for kernels that are correct but slow when training (each one's file says why). A replacement
 * keeps the stock kernel's setup function (it binds the wasm exports that the stock kernel, still called
 * outside the fast case, needs). Idempotent; call after the wasm backend is active.
 */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  const stock = (name: string) => {
    const config = tf.getKernel(name, 'wasm');
    if (!config) throw new Error(`tfjs wasm backend has no ${name} kernel`);
    return config;
  };
  const batchMatMul = stock('BatchMatMul');
  const kernels: tf.KernelConfig[] = [
    filterGradWithLiveTaps(makeConv2DBackpropFilter(batchMatMul.kernelFunc)),
    inputGradWithLiveTaps(makeConv2DBackpropInput(batchMatMul.kernelFunc)),
    forwardWithLiveTaps(makeConv2DForward('Conv2D', stock('Conv2D').kernelFunc)),
    forwardWithLiveTaps(makeConv2DForward('FusedConv2D', stock('FusedConv2D').kernelFunc)),
    makeBatchMatMul(batchMatMul.kernelFunc),
    maxPoolGradConfig,
    makeTile(stock('Tile').kernelFunc),
    makeSlice(stock('Slice').kernelFunc),
    makeSplitV(stock('SplitV').kernelFunc),
    makeConcat(stock('Concat').kernelFunc),
    makeLeadingReduce('Sum', stock('Sum').kernelFunc),
    makeLeadingReduce('Mean', stock('Mean').kernelFunc),
    ...batchNormActKernels,
    adamUpdateConfig,
    emaUpdateConfig,
    identityConfig,
    ...depthwiseGradConfigs,
  ];
  for (const config of kernels) {
    const original = tf.getKernel(config.kernelName, 'wasm');
    if (original) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel({ ...config, setupFunc: original?.setupFunc });
  }
  registered = true;
}
