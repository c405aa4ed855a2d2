import * as tf from '@tensorflow/tfjs';
import type { ImageSplit } from '@yolo-ts/core-data';
import type { Augmentation } from '../data/augment.js';
import { gatherBatch } from '../data/batches.js';
import type { RunConfig } from '../config/defaults.js';
import { ModelEma } from './ema.js';
import { chooseOptimizer, makeOptimizer, stepLearningRate, warmupSteps } from './optimizer.js';
import { trainStep, trainableVariables } from './train-step.js';

/** Called after every step with the step number in the epoch (from 1), images seen and their summed loss. */
export type StepListener = (batch: number, images: number, lossSum: number) => void;

export interface EpochTotals {
  lossSum: number;
  lr: number;
}

/** What trains the epochs of a run: in this thread ({@link LocalRunner}) or on replicas in worker threads. */
export interface EpochRunner {
  /** How the steps run, for the run's log, e.g. "AdamW(lr=0.000714, …), 1407 warmup steps, EMA of weights". */
  readonly description: string;
  /** Trains one epoch over the training images in `order`: the summed loss of its images, the last step's lr. */
  runEpoch(epoch: number, order: Int32Array, onStep: StepListener): Promise<EpochTotals>;
  /** Runs `fn` while the run's model holds the EMA weights (what is validated and saved). */
  withAverage<T>(fn: () => Promise<T> | T): Promise<T>;
  dispose(): Promise<void>;
}

/** Everything a runner needs to reproduce the run's optimisation exactly, in any thread. */
export interface TrainPlan {
  cfg: RunConfig;
  nc: number;
  /** Training images per epoch. */
  images: number;
}

export function stepsPerEpoch(plan: TrainPlan): number {
  return Math.ceil(plan.images / plan.cfg.batch);
}

export function augmentation(cfg: RunConfig): Augmentation {
  return { fliplr: cfg.fliplr, degrees: cfg.degrees, translate: cfg.translate, scale: cfg.scale };
}

/** The run's optimizer, schedule and EMA in one line for its log, e.g. "AdamW(lr=0.000714, …), 1407 warmup steps, EMA of weights". */
export function describeOptimizer(plan: TrainPlan): string {
  const { name, lr0, momentum } = chooseOptimizer(plan.cfg, plan.nc, plan.images);
  const decay = name === 'AdamW' ? `, weight_decay=${plan.cfg.weight_decay}` : '';
  return `${name}(lr=${lr0}, momentum=${momentum}${decay}), ${warmupSteps(plan.cfg, stepsPerEpoch(plan))} warmup steps, EMA of weights`;
}

/** The optimizer of a plan and the learning rate of each global step. */
export function planOptimizer(plan: TrainPlan) {
  const { optimizer, lr0 } = makeOptimizer(plan.cfg, plan.nc, plan.images);
  const steps = stepsPerEpoch(plan);
  const warmup = warmupSteps(plan.cfg, steps);
  return { optimizer, learningRate: (step: number) => stepLearningRate(plan.cfg, lr0, warmup, steps, step) };
}

/** Trains `model` in this thread on the active backend. */
export class LocalRunner implements EpochRunner {
  readonly description: string;
  private readonly opt: ReturnType<typeof planOptimizer>;
  private readonly variables: tf.Variable[];
  private readonly ema: ModelEma;

  constructor(
    private readonly model: tf.LayersModel,
    private readonly split: ImageSplit,
    private readonly plan: TrainPlan,
    private readonly random: () => number,
  ) {
    this.opt = planOptimizer(plan);
    this.description = describeOptimizer(plan);
    this.variables = trainableVariables(model);
    this.ema = new ModelEma(model);
  }

  async runEpoch(epoch: number, order: Int32Array, onStep: StepListener): Promise<EpochTotals> {
    const { batch: size, imgsz } = this.plan.cfg;
    const augment = augmentation(this.plan.cfg);
    let lossSum = 0;
    let lr = 0;
    for (let start = 0, batch = 1; start < order.length; start += size, batch++) {
      const idx = order.subarray(start, Math.min(start + size, order.length));
      lr = this.opt.learningRate(epoch * stepsPerEpoch(this.plan) + batch - 1);
      this.opt.optimizer.setLearningRate(lr);
      const { x, y } = gatherBatch(this.split, idx, { imgsz, augment, random: this.random });
      lossSum += trainStep(this.model, this.opt.optimizer, this.variables, x, y) * idx.length;
      tf.dispose([x, y]);
      this.ema.update();
      onStep(batch, start + idx.length, lossSum);
    }
    return { lossSum, lr };
  }

  withAverage<T>(fn: () => Promise<T> | T): Promise<T> {
    return this.ema.withAverage(fn);
  }

  async dispose(): Promise<void> {
    this.opt.optimizer.dispose();
    this.ema.dispose();
  }
}
