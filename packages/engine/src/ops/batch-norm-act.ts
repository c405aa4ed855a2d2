import * as tf from '@tensorflow/tfjs';
import { ACTIVATIONS, BN_ACT, BN_ACT_GRAD, BN_STATS } from '../kernels/batch-norm-act.js';

export type BatchNormActivation = keyof typeof ACTIVATIONS;

/** A BatchNorm layer's moving averages and how slowly they follow the batches. */
export interface MovingStatistics {
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
  /** moving' = moving·momentum + batch·(1 − momentum). */
  momentum: number;
}

export interface BatchNormActResult {
  /** act(γ·x̂ + β), same shape as x. */
  y: tf.Tensor;
  /** The moving averages moved toward this batch's mean and (biased) variance, for the layer to keep. */
  movingMean: tf.Tensor1D;
  movingVariance: tf.Tensor1D;
}

function activate(z: tf.Tensor, act: BatchNormActivation): tf.Tensor {
  return act === 'silu' ? tf.mul(z, tf.sigmoid(z)) : z;
}

/**
 * Training-mode BatchNorm over the last axis (channels), followed by an optional SiLU, with batch statistics,
 * and the layer's moving averages updated. On wasm it is three native kernels whose backward pass is the closed
 * form through the batch statistics (two passes over the data instead of ~20 elementwise ops and their
 * gradients); on other backends the same maths is composed from tfjs ops and differentiated by tfjs.
 */
export function batchNormAct(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number, act: BatchNormActivation, moving: MovingStatistics): BatchNormActResult {
  const { momentum } = moving;
  if (!tf.getKernel(BN_ACT, tf.getBackend())) {
    const axes = x.shape.slice(0, -1).map((_, i) => i);
    const { mean, variance } = tf.moments(x, axes);
    const y = activate(tf.batchNorm(x, mean, variance, beta, gamma, epsilon), act);
    const follow = (m: tf.Tensor1D, batch: tf.Tensor) => tf.tidy(() => tf.add(tf.mul(m, momentum), tf.mul(batch, 1 - momentum))) as tf.Tensor1D;
    const result = { y, movingMean: follow(moving.mean, mean), movingVariance: follow(moving.variance, variance) };
    tf.dispose([mean, variance]);
    return result;
  }
  const engine = tf.engine();
  const [mean, invstd, movingMean, movingVariance] = engine.runKernel(BN_STATS, { x, movingMean: moving.mean, movingVariance: moving.variance }, { epsilon, momentum }) as unknown as tf.Tensor1D[];
  const activation = ACTIVATIONS[act];
  const op = tf.customGrad(((xv: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    // Saved tensors survive the forward scope; closed-over ones would be disposed before the backward pass.
    save([xv, g, b, mean, invstd]);
    return {
      value: engine.runKernel(BN_ACT, { x: xv, mean, invstd, gamma: g, beta: b }, { activation }) as tf.Tensor,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, gs, bs, m, s] = saved as tf.Tensor[];
        return engine.runKernel(BN_ACT_GRAD, { dy, x: xs!, mean: m!, invstd: s!, gamma: gs!, beta: bs! }, { activation }) as unknown as tf.Tensor[];
      },
    };
  }) as never);
  const y = op(x, gamma, beta);
  tf.dispose([mean!, invstd!]);
  return { y, movingMean: movingMean!, movingVariance: movingVariance! };
}

/**
 * Inference-mode BatchNorm with given (moving) statistics, then the activation: one native pass on wasm,
 * tfjs' batchNorm (+ x·σ(x)) elsewhere.
 */
export function batchNormActInference(x: tf.Tensor, mean: tf.Tensor1D, variance: tf.Tensor1D, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number, act: BatchNormActivation): tf.Tensor {
  if (!tf.getKernel(BN_ACT, tf.getBackend())) return tf.tidy(() => activate(tf.batchNorm(x, mean, variance, beta, gamma, epsilon), act));
  return tf.tidy(() => {
    const invstd = tf.rsqrt(tf.add(variance, epsilon));
    return tf.engine().runKernel(BN_ACT, { x, mean, invstd, gamma, beta }, { activation: ACTIVATIONS[act] }) as tf.Tensor;
  });
}
