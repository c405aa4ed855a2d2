import * as tf from '@tensorflow/tfjs';
import type { ImageSplit } from '@yolo-ts/core-data';
import { Adam } from '@yolo-ts/engine';
import type { Augmentation } from '../data/augment.js';
import { epochOrder, gatherBatch, imageRandom } from '../data/batches.js';
import { trainableVariables, trainStep } from './train-step.js';

export interface InMemoryStep {
  epoch: number;
  /** Steps done so far, over all epochs. */
  step: number;
  steps: number;
  loss: number;
  /** Training images per second over this step. */
  imagesPerSecond: number;
}

export interface InMemoryTrainOptions {
  model: tf.LayersModel;
  train: ImageSplit;
  epochs: number;
  batch?: number;
  /** AdamW's learning rate, decayed linearly to lr·0.01 over the run after a warmup of `warmupSteps`. */
  lr?: number;
  warmupSteps?: number;
  weightDecay?: number;
  augment?: Augmentation;
  seed?: number;
  /** Called after every step; a page updates its chart here (awaited, so it can yield to the event loop). */
  onStep?: (step: InMemoryStep) => void | Promise<void>;
  /** Called after each epoch (e.g. to validate); epochs count from 1. */
  onEpochEnd?: (epoch: number) => void | Promise<void>;
  signal?: AbortSignal;
}

/**
 * Trains `model` on an in-memory split with AdamW (engine's Adam with decoupled weight decay) and the trainer's own
 * batches, shuffling and augmentation: the training loop a web page runs (no files, no run folder, no Node). The
 * CLI's trainer adds the rest (EMA, schedules of Ultralytics, validation, checkpoints, resume).
 */
export async function trainInMemory(o: InMemoryTrainOptions): Promise<{ losses: number[] }> {
  const batch = o.batch ?? 64;
  const lr = o.lr ?? 0.002;
  const seed = o.seed ?? 0;
  const imgsz = (o.model.inputs[0]!.shape[1] as number) ?? o.train.height;
  const perEpoch = Math.max(1, Math.floor(o.train.count / batch));
  const steps = perEpoch * o.epochs;
  const warmup = Math.min(o.warmupSteps ?? Math.min(100, Math.floor(steps / 3)), steps - 1);
  const optimizer = new Adam(lr, 0.9, 0.999, 1e-8, o.weightDecay ?? 0.0005);
  const variables = trainableVariables(o.model);
  const losses: number[] = [];
  try {
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      const order = epochOrder(o.train.count, seed, epoch);
      for (let s = 0; s < perEpoch; s++) {
        if (o.signal?.aborted) return { losses };
        const step = epoch * perEpoch + s;
        optimizer.setLearningRate(lr * (step < warmup ? (step + 1) / (warmup + 1) : 1 - (0.99 * (step - warmup)) / Math.max(1, steps - warmup)));
        const t0 = performance.now();
        const indices = order.subarray(s * batch, (s + 1) * batch);
        const { x, y } = gatherBatch(o.train, indices, { imgsz, augment: o.augment, random: (k) => imageRandom(seed, epoch, s * batch + k) });
        const loss = trainStep(o.model, optimizer, variables, x, y);
        tf.dispose([x, y]);
        losses.push(loss);
        await o.onStep?.({ epoch, step: step + 1, steps, loss, imagesPerSecond: (indices.length * 1000) / (performance.now() - t0) });
      }
      await o.onEpochEnd?.(epoch + 1);
    }
    return { losses };
  } finally {
    optimizer.dispose();
  }
}
