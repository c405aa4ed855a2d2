import * as tf from '@tensorflow/tfjs';
import { classificationLoss } from '../val/metrics.js';

/**
 * One optimisation step on a batch: forward in training mode (BatchNorm uses and updates batch statistics),
 * softmax cross-entropy, backward, optimizer update. Returns the loss; disposes everything it made.
 * `pnpm bench` times exactly this function.
 */
export function trainStep(model: tf.LayersModel, optimizer: tf.Optimizer, variables: tf.Variable[], x: tf.Tensor4D, y: tf.Tensor1D, labelSmoothing = 0): number {
  const cost = optimizer.minimize(() => classificationLoss(model.apply(x, { training: true }) as tf.Tensor2D, y, labelSmoothing), true, variables)!;
  const loss = cost.dataSync()[0]!;
  cost.dispose();
  return loss;
}

/** The variables a training step updates. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}
