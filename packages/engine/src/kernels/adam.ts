import * as tf from '@tensorflow/tfjs';
import { ptr } from '../native.js';
import { PARALLEL_MIN_WORK, size, splitNative, type WasmKernel } from './wasm-util.js';

export const ADAM_UPDATE = 'YoloTsAdamUpdate';

/** [w', m', v'] of one Adam step in a single native pass (see adam_update in native/kernels.c). */
const adamUpdate: WasmKernel = ({ inputs, backend, attrs }) => {
  const { w, g, m, v } = inputs as Record<string, tf.TensorInfo>;
  const { lr, beta1, beta2, epsilon, bc1, bc2, decay } = attrs as Record<string, number>;
  const outs = [w!, m!, v!].map((t) => backend.makeOutput([...t.shape], 'float32'));
  const p = (t: tf.TensorInfo) => ptr(backend, t);
  const buffers = [w!, g!, m!, v!, ...outs].map(p);
  splitNative(backend, 'adam_update', size(w!.shape), PARALLEL_MIN_WORK, (lo, hi) => [...buffers.map((b) => b + 4 * lo), hi - lo, lr!, beta1!, beta2!, epsilon!, bc1!, bc2!, decay!]);
  return outs as unknown as tf.TensorInfo;
};

export const adamUpdateConfig: tf.KernelConfig = { kernelName: ADAM_UPDATE, backendName: 'wasm', kernelFunc: adamUpdate as unknown as tf.KernelFunc };

export const EMA_UPDATE = 'YoloTsEmaUpdate';

/** d·ema + (1 − d)·w in one native pass (see ema_update in native/kernels.c). */
const emaUpdate: WasmKernel = ({ inputs, backend, attrs }) => {
  const { ema, w } = inputs as Record<string, tf.TensorInfo>;
  const out = backend.makeOutput([...ema!.shape], 'float32');
  const buffers = [ema!, w!, out].map((t) => ptr(backend, t));
  splitNative(backend, 'ema_update', size(ema!.shape), PARALLEL_MIN_WORK, (lo, hi) => [...buffers.map((b) => b + 4 * lo), hi - lo, (attrs as { d: number }).d]);
  return out;
};

export const emaUpdateConfig: tf.KernelConfig = { kernelName: EMA_UPDATE, backendName: 'wasm', kernelFunc: emaUpdate as unknown as tf.KernelFunc };
