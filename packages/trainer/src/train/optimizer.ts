import * as tf from '@tensorflow/tfjs';
import { Adam } from '@yolo-ts/engine';
import type { RunConfig } from '../config/defaults.js';

/** An optimizer whose learning rate a schedule can change (tfjs' SGD family and engine's Adam). */
type ScheduledOptimizer = tf.Optimizer & { setLearningRate(lr: number): void };

/** Ultralytics' nominal batch size: "auto" picks its optimizer by the number of steps of this size. */
const NOMINAL_BATCH = 64;

/** Which optimizer a run uses, with its initial learning rate and momentum, as Ultralytics' build_optimizer picks. */
export function chooseOptimizer(cfg: RunConfig, nc: number, images: number): { name: 'SGD' | 'Adam' | 'AdamW'; lr0: number; momentum: number } {
  if (cfg.optimizer !== 'auto') return { name: cfg.optimizer, lr0: cfg.lr0, momentum: cfg.momentum };
  const iterations = Math.ceil(images / Math.max(cfg.batch, NOMINAL_BATCH)) * cfg.epochs;
  return iterations > 10_000 ? { name: 'SGD', lr0: 0.01, momentum: 0.9 } : { name: 'AdamW', lr0: Math.round((0.002 * 5 * 1e6) / (4 + nc)) / 1e6, momentum: 0.9 };
}

/** The chosen optimizer, built. */
export function makeOptimizer(cfg: RunConfig, nc: number, images: number): ReturnType<typeof chooseOptimizer> & { optimizer: ScheduledOptimizer } {
  const choice = chooseOptimizer(cfg, nc, images);
  const { name, lr0, momentum } = choice;
  const optimizer = name === 'SGD' ? tf.train.momentum(lr0, momentum, true) : new Adam(lr0, momentum, 0.999, 1e-8, name === 'AdamW' ? cfg.weight_decay : 0);
  return { ...choice, optimizer };
}

/** Ultralytics' linear schedule: lr0 at epoch 0 falling to lr0·lrf at the last epoch. */
export function learningRate(cfg: RunConfig, lr0: number, epoch: number): number {
  return lr0 * (Math.max(1 - epoch / cfg.epochs, 0) * (1 - cfg.lrf) + cfg.lrf);
}

/** Steps of linear warmup: Ultralytics' max(warmup_epochs·steps, 100), but never more than a third of the run. */
export function warmupSteps(cfg: RunConfig, stepsPerEpoch: number): number {
  if (cfg.warmup_epochs <= 0) return 0;
  return Math.min(Math.max(Math.round(cfg.warmup_epochs * stepsPerEpoch), 100), Math.floor((cfg.epochs * stepsPerEpoch) / 3));
}

/** The learning rate of global step `step` (from 0): the epoch's rate, reached linearly from 0 during warmup. */
export function stepLearningRate(cfg: RunConfig, lr0: number, warmup: number, stepsPerEpoch: number, step: number): number {
  const lr = learningRate(cfg, lr0, Math.floor(step / stepsPerEpoch));
  return step < warmup ? (lr * step) / warmup : lr;
}
