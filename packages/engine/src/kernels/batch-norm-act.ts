import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeKernels, ptr, withScratch } from '../native.js';
import { f32, PARALLEL_MIN_WORK, size, splitNative, type WasmKernel } from './wasm-util.js';

/** Kernel names of the fused training-mode BatchNorm (+ optional SiLU) that ops/batch-norm-act.ts calls. */
export const BN_STATS = 'YoloTsBatchNormStats';
export const BN_ACT = 'YoloTsBatchNormAct';
export const BN_ACT_GRAD = 'YoloTsBatchNormActGrad';

/** Activation codes shared with native/kernels.c. */
export const ACTIVATIONS = { linear: 0, silu: 1 } as const;

const channels = (x: tf.TensorInfo) => x.shape[x.shape.length - 1]!;
const rows = (x: tf.TensorInfo) => size(x.shape) / channels(x);

/**
 * [mean, invstd, movingMean', movingVariance'] of x over every axis but the last (channels): the batch
 * statistics BatchNorm normalises with, and the layer's moving averages moved toward them,
 * moving' = moving·momentum + batch·(1 − momentum) with the biased batch variance, as tfjs' BatchNormalization.
 * One kernel instead of the eight tfjs ops (and their tape entries) the update would take per layer per step.
 */
const stats: WasmKernel = ({ inputs, backend, attrs }) => {
  const { x, movingMean, movingVariance } = inputs as Record<string, tf.TensorInfo>;
  const { epsilon, momentum } = attrs as { epsilon: number; momentum: number };
  const C = channels(x!);
  const [mean, invstd, nextMean, nextVariance] = [0, 1, 2, 3].map(() => backend.makeOutput([C], 'float32')) as [tf.TensorInfo, tf.TensorInfo, tf.TensorInfo, tf.TensorInfo];
  const k = nativeKernels(backend);
  const p = (t: tf.TensorInfo) => ptr(backend, t);
  withScratch(backend, 8 * C, (acc) => k.bn_stats(p(x!), rows(x!), C, epsilon, p(mean), p(invstd), acc));
  // The compiled step's update (bn_moving_update), here into new buffers: start them as copies of the old ones.
  f32(backend, nextMean).set(f32(backend, movingMean!));
  f32(backend, nextVariance).set(f32(backend, movingVariance!));
  k.bn_moving_update(p(mean), p(invstd), p(nextMean), p(nextVariance), C, momentum, epsilon);
  return [mean, invstd, nextMean, nextVariance] as unknown as tf.TensorInfo;
};

const forward: WasmKernel = ({ inputs, backend, attrs }) => {
  const { x, mean, invstd, gamma, beta } = inputs as Record<string, tf.TensorInfo>;
  const { activation } = attrs as { activation: number };
  const y = backend.makeOutput([...x!.shape], 'float32');
  const p = (t: tf.TensorInfo) => ptr(backend, t);
  const C = channels(x!);
  splitNative(backend, 'bn_act_forward', rows(x!), Math.ceil(PARALLEL_MIN_WORK / C), (lo, hi) => [p(x!) + 4 * lo * C, p(y) + 4 * lo * C, hi - lo, C, p(mean!), p(invstd!), p(gamma!), p(beta!), activation]);
  return y;
};

const backward: WasmKernel = ({ inputs, backend, attrs }) => {
  const { dy, x, mean, invstd, gamma, beta } = inputs as Record<string, tf.TensorInfo>;
  const { activation } = attrs as { activation: number };
  const C = channels(x!);
  const dx = backend.makeOutput([...x!.shape], 'float32');
  const dgamma = backend.makeOutput([C], 'float32');
  const dbeta = backend.makeOutput([C], 'float32');
  const p = (t: tf.TensorInfo) => ptr(backend as BackendWasm, t);
  withScratch(backend, 16 * C, (acc) =>
    nativeKernels(backend).bn_act_backward(p(dy!), p(x!), p(dx), rows(x!), C, p(mean!), p(invstd!), p(gamma!), p(beta!), activation, p(dgamma), p(dbeta), acc),
  );
  return [dx, dgamma, dbeta] as unknown as tf.TensorInfo;
};

const config = (kernelName: string, kernel: WasmKernel): tf.KernelConfig => ({ kernelName, backendName: 'wasm', kernelFunc: kernel as unknown as tf.KernelFunc });

export const batchNormActKernels: tf.KernelConfig[] = [config(BN_STATS, stats), config(BN_ACT, forward), config(BN_ACT_GRAD, backward)];
