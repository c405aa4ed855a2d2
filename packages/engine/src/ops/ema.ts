import * as tf from '@tensorflow/tfjs';
import { EMA_UPDATE } from '../kernels/adam.js';

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
