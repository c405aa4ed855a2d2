import * as tf from '@tensorflow/tfjs';
import { nativeKernels, ptr } from '../native.js';
import { size, type WasmKernel } from './wasm-util.js';

export const ADAM_UPDATE = 'YoloTsAdamUpdate';

/** [w', m', v'] of one Adam step in a single native pass (see adam_update in native/kernels.c). */
const adamUpdate: WasmKernel = ({ inputs, backend, attrs }) => {
  const { w, g, m, v } = inputs as Record<string, tf.TensorInfo>;
  const { lr, beta1, beta2, epsilon, bc1, bc2, decay } = attrs as Record<string, number>;
  const outs = [w!, m!, v!].map((t) => backend.makeOutput([...t.shape], 'float32'));
  const p = (t: tf.TensorInfo) => ptr(backend, t);
  nativeKernels(backend).adam_update(p(w!), p(g!), p(m!), p(v!), p(outs[0]!), p(outs[1]!), p(outs[2]!), size(w!.shape), lr!, beta1!, beta2!, epsilon!, bc1!, bc2!, decay!);
  return outs as unknown as tf.TensorInfo;
};

export const adamUpdateConfig: tf.KernelConfig = { kernelName: ADAM_UPDATE, backendName: 'wasm', kernelFunc: adamUpdate as unknown as tf.KernelFunc };

export const EMA_UPDATE = 'YoloTsEmaUpdate';

/** d·ema + (1 − d)·w in one native pass (see ema_update in native/kernels.c). */
const emaUpdate: WasmKernel = ({ inputs, backend, attrs }) => {
  const { ema, w } = inputs as Record<string, tf.TensorInfo>;
  const out = backend.makeOutput([...ema!.shape], 'float32');
  nativeKernels(backend).ema_update(ptr(backend, ema!), ptr(backend, w!), ptr(backend, out), size(ema!.shape), (attrs as { d: number }).d);
  return out;
};

export const emaUpdateConfig: tf.KernelConfig = { kernelName: EMA_UPDATE, backendName: 'wasm', kernelFunc: emaUpdate as unknown as tf.KernelFunc };
