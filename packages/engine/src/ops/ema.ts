import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { EMA_UPDATE } from '../kernels/adam.js';
import { ownedAddress } from '../plan/heap-variables.js';
import { Parallel, parallelOf } from '../plan/parallel.js';

/**
 * ema ← d·ema + (1 − d)·w: one fused native pass on wasm, tfjs ops elsewhere. The trainer keeps an exponential
 * moving average of every model weight this way after each step (Ultralytics' ModelEMA).
 */
export function emaUpdate(ema: tf.Variable, w: tf.Tensor, d: number): void {
  tf.tidy(() => {
    const fused = tf.getKernel(EMA_UPDATE, tf.getBackend()) !== undefined;
    ema.assign(fused ? (tf.engine().runKernel(EMA_UPDATE, { ema, w }, { d }) as tf.Tensor) : tf.add(tf.mul(ema, d), tf.mul(w, 1 - d)));
  });
}

/**
 * ema ← d·ema + (1 − d)·w for every pair, in place in the wasm heap (one native pass each, no tensor made); false,
 * doing nothing, on other backends.
 */
export function emaUpdateInPlace(pairs: readonly (readonly [ema: tf.Variable, w: tf.Variable])[], d: number): boolean {
  if (tf.getBackend() !== 'wasm') return false;
  const backend = tf.backend() as BackendWasm;
  const par = parallelOf(backend);
  for (const [ema, w] of pairs) {
    const [pe, pw] = [ownedAddress(backend, ema), backend.getMemoryOffset(w.dataId)];
    par.split('ema_update', ema.size, Parallel.min(3), (lo, hi) => [pe + 4 * lo, pw + 4 * lo, pe + 4 * lo, hi - lo, d], 4);
  }
  return true;
}
