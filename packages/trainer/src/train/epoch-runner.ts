import { setImmediate as yieldToLoop } from 'node:timers/promises';
import * as tf from '@tensorflow/tfjs';
import type { ImageSplit } from '@yolo-ts/core-data';
import { compileTrainStep, PlanUnsupported, renewBuffers, type TrainStepPlan } from '@yolo-ts/engine';
import { BatchNormAct } from '@yolo-ts/models';
import type { Augmentation } from '../data/augment.js';
import { gatherBatch, imageRandom } from '../data/batches.js';
import type { RunConfig } from '../config/defaults.js';
import { ModelEma } from './ema.js';
import { chooseOptimizer, makeOptimizer, stepSchedule, warmupSteps, type OptimizerState } from './optimizer.js';
import { trainStep, trainableVariables } from './train-step.js';

/** Called after every step with the step number in the epoch (from 1), images seen and their summed loss. */
export type StepListener = (batch: number, images: number, lossSum: number) => void;

export interface EpochTotals {
  /** Summed loss of the images trained in this epoch (from its first step, a resumed part included). */
  lossSum: number;
  /** Learning rates of the three parameter groups at the last step. */
  rates: [number, number, number];
  /** Steps of the epoch done: all of them, or fewer when `shouldStop` stopped it. */
  steps: number;
}

/** Where an epoch starts: from its first step, or part way (a run resumed after an interruption). */
export interface EpochStart {
  step: number;
  lossSum: number;
}

/**
 * Everything a run's training holds besides its settings, by weight position in `model.weights`: what a checkpoint
 * saves so that a resumed run continues exactly where it stopped.
 */
export interface RunnerState {
  /** Current values of every weight of the model (BatchNorm statistics included). */
  live: Float32Array[];
  /** Their exponential moving average. */
  ema: Float32Array[];
  /** Optimizer steps so far: the EMA's updates and BatchNorm's batches tracked. */
  steps: number;
  optimizer: OptimizerState;
}

/** What trains the epochs of a run: in this thread ({@link LocalRunner}) or on replicas in worker threads. */
export interface EpochRunner {
  /** How the steps run, for the run's log, e.g. "AdamW(lr=0.000714, …), 1407 warmup steps, EMA of weights". */
  readonly description: string;
  /**
   * Trains epoch `epoch` over the training images in `order` from `start`; after each step `shouldStop` may end
   * it early (an interrupted run), and the totals say how many steps were done.
   */
  runEpoch(epoch: number, order: Int32Array, onStep: StepListener, start?: EpochStart, shouldStop?: () => boolean): Promise<EpochTotals>;
  /** Runs `fn` while the run's model holds the EMA weights (what is validated and saved). */
  withAverage<T>(fn: () => Promise<T> | T): Promise<T>;
  /** The training state, for a checkpoint. */
  state(): Promise<RunnerState>;
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
  return { fliplr: cfg.fliplr, degrees: cfg.degrees, translate: cfg.translate, scale: cfg.scale, erasing: cfg.erasing, elastic: cfg.elastic };
}

/** The run's optimizer, schedule and EMA in one line for its log, e.g. "AdamW(lr=0.000714, …), 1407 warmup steps, EMA of weights". */
export function describeOptimizer(plan: TrainPlan): string {
  const { name, lr0, momentum } = chooseOptimizer(plan.cfg, plan.nc, plan.images);
  const decay = name === 'AdamW' ? `, weight_decay=${plan.cfg.weight_decay}` : '';
  return `${name}(lr=${lr0}, momentum=${momentum}${decay}) with parameter groups (weights, BatchNorm scales, biases), ${warmupSteps(plan.cfg, stepsPerEpoch(plan))} warmup steps, EMA of weights`;
}

/** The optimizer of a plan for `model`'s trainable weights, and a function setting it up for each global step. */
export function planOptimizer(plan: TrainPlan, model: tf.LayersModel) {
  const { optimizer, ...choice } = makeOptimizer(plan.cfg, plan.nc, plan.images, model.trainableWeights);
  const steps = stepsPerEpoch(plan);
  const warmup = warmupSteps(plan.cfg, steps);
  /** Sets the learning rates (and SGD momentum) of global step `step`; returns the rates. */
  const schedule = (step: number): [number, number, number] => {
    const s = stepSchedule(plan.cfg, choice, warmup, steps, step);
    optimizer.setLearningRates(s.rates);
    optimizer.setMomentum(s.momentum);
    return s.rates;
  };
  return { optimizer, schedule };
}

/**
 * From this batch the compiled step trains each half on its own thread (engine's DataParallelStep, BatchNorm
 * statistics per half as with replicas, which need 32 images each); below it one plan splits its big kernels over
 * threads. Measured on 2 cores (`pnpm bench`): halves 1.5× faster for yolo26n-cls at 64 and 1.4× at 256, 1.45×
 * for cnn-bn; at 16 they are 1.3× faster too, but normalising 8 images would change what small batches compute.
 */
export const HALVES_MIN_BATCH = 64;

/**
 * Whether a run of `plan` would train `model` with engine's compiled step: on wasm, with Adam or AdamW (SGD runs
 * tfjs ops), no Dropout, not switched off with YOLO_TS_COMPILED=0. The compiler itself has the last word.
 */
export function compiledStepApplies(plan: TrainPlan, model: tf.LayersModel): boolean {
  return tf.getBackend() === 'wasm' && chooseOptimizer(plan.cfg, plan.nc, plan.images).name !== 'SGD' && process.env.YOLO_TS_COMPILED !== '0' && !model.layers.some((l) => l.getClassName() === 'Dropout');
}

/** Sets every BatchNorm layer's count of batches seen (the start of its moving statistics) to `steps`. */
export function setBatchesTracked(model: tf.LayersModel, steps: number): void {
  for (const layer of model.layers) if (layer instanceof BatchNormAct) layer.batchesTracked = steps;
}

/** Copies of every weight's values, in `model.weights` order. */
export function weightValues(model: tf.LayersModel): Float32Array[] {
  return model.weights.map((w) => w.read().dataSync().slice() as Float32Array);
}

/** Trains `model` in this thread on the active backend. */
export class LocalRunner implements EpochRunner {
  readonly description: string;
  private readonly opt: ReturnType<typeof planOptimizer>;
  private readonly variables: tf.Variable[];
  private readonly ema: ModelEma;
  /** The model's training step compiled to native kernels, where engine's plan supports model and optimizer. */
  private readonly compiled?: TrainStepPlan;
  private steps = 0;

  private constructor(
    private readonly model: tf.LayersModel,
    private readonly split: ImageSplit,
    private readonly plan: TrainPlan,
  ) {
    this.opt = planOptimizer(plan, model);
    this.variables = trainableVariables(model);
    this.ema = new ModelEma(model);
    const halves = plan.cfg.batch >= HALVES_MIN_BATCH;
    const step = compiledStepApplies(plan, model) ? compileTrainStep(model, { maxBatch: plan.cfg.batch, labelSmoothing: plan.cfg.label_smoothing, halves }) : undefined;
    this.compiled = step instanceof PlanUnsupported ? undefined : step;
    const why = step instanceof PlanUnsupported ? ` (not compiled: ${step.message})` : '';
    const how = this.compiled ? `compiled step (native kernels${halves ? ', a thread per half batch' : ''})` : `tfjs step${why}`;
    this.description = `${describeOptimizer(plan)}, ${how}`;
  }

  /** A runner for `model` (holding the live weights), continuing from `resume` when given. */
  static async create(model: tf.LayersModel, split: ImageSplit, plan: TrainPlan, resume?: RunnerState): Promise<LocalRunner> {
    const runner = new LocalRunner(model, split, plan);
    if (resume) {
      runner.steps = resume.steps;
      runner.ema.restore(resume.ema, resume.steps);
      await runner.opt.optimizer.restore(resume.optimizer);
    }
    return runner;
  }

  async runEpoch(epoch: number, order: Int32Array, onStep: StepListener, start: EpochStart = { step: 0, lossSum: 0 }, shouldStop = () => false): Promise<EpochTotals> {
    const { batch: size, imgsz, seed, label_smoothing } = this.plan.cfg;
    const augment = augmentation(this.plan.cfg);
    const total = Math.ceil(order.length / size);
    let { lossSum } = start;
    let rates: [number, number, number] = [0, 0, 0];
    let step = start.step;
    while (step < total) {
      const from = step * size;
      const idx = order.subarray(from, Math.min(from + size, order.length));
      rates = this.opt.schedule(epoch * stepsPerEpoch(this.plan) + step);
      const { x, y } = gatherBatch(this.split, idx, { imgsz, augment, random: (k) => imageRandom(seed, epoch, from + k) });
      if (this.compiled) {
        lossSum += this.compiled.run(x, y) * idx.length;
        this.opt.optimizer.applyInPlace(this.compiled.params);
      } else lossSum += trainStep(this.model, this.opt.optimizer, this.variables, x, y, label_smoothing) * idx.length;
      tf.dispose([x, y]);
      this.ema.update();
      this.steps++;
      step++;
      onStep(step, from + idx.length, lossSum);
      // A signal (Ctrl-C) reaches its handler only when the event loop turns: let it turn before asking whether to stop.
      await yieldToLoop();
      if (step < total && shouldStop()) break;
    }
    // The compiled step wrote the weights in place: the model's stock kernels must see them as new tensors.
    if (this.compiled) renewBuffers(this.model.weights.map((w) => w.read() as tf.Variable));
    return { lossSum, rates, steps: step };
  }

  withAverage<T>(fn: () => Promise<T> | T): Promise<T> {
    return this.ema.withAverage(fn);
  }

  async state(): Promise<RunnerState> {
    return { live: weightValues(this.model), ema: this.ema.values(), steps: this.steps, optimizer: await this.opt.optimizer.state() };
  }

  async dispose(): Promise<void> {
    this.compiled?.dispose();
    this.opt.optimizer.dispose();
    this.ema.dispose();
  }
}
