import * as tf from '@tensorflow/tfjs';
import { Adam } from '@yolo-ts/engine';
import type { RunConfig } from '../config/defaults.js';

/** Ultralytics' nominal batch size: "auto" picks its optimizer by the number of steps of this size. */
const NOMINAL_BATCH = 64;

/** Which optimizer a run uses, with its initial learning rate and momentum, as Ultralytics' build_optimizer picks. */
export function chooseOptimizer(cfg: RunConfig, nc: number, images: number): { name: 'SGD' | 'Adam' | 'AdamW'; lr0: number; momentum: number; warmupBiasLr: number } {
  if (cfg.optimizer !== 'auto') return { name: cfg.optimizer, lr0: cfg.lr0, momentum: cfg.momentum, warmupBiasLr: cfg.warmup_bias_lr };
  const iterations = Math.ceil(images / Math.max(cfg.batch, NOMINAL_BATCH)) * cfg.epochs;
  // Ultralytics sets warmup_bias_lr = 0 when it picks the optimizer ("no higher than 0.01 for Adam").
  return iterations > 10_000
    ? { name: 'SGD', lr0: 0.01, momentum: 0.9, warmupBiasLr: 0 }
    : { name: 'AdamW', lr0: Math.round((0.002 * 5 * 1e6) / (4 + nc)) / 1e6, momentum: 0.9, warmupBiasLr: 0 };
}

/**
 * Ultralytics' three parameter groups, as results.csv's lr/pg0..2 columns: 0 = weights that decay (kernels,
 * matrices), 1 = BatchNorm scales, 2 = biases (BatchNorm shifts included). By the layer's own weight name.
 */
export function parameterGroup(name: string): 0 | 1 | 2 {
  if (name.endsWith('/gamma')) return 1;
  if (name.endsWith('/bias') || name.endsWith('/beta')) return 2;
  return 0;
}

/** An optimizer's state by the model's own weight names (`model.3.conv/kernel/m`), so it survives a rebuild. */
export interface OptimizerState {
  /** Steps taken by each group's optimizer. */
  iterations: number[];
  slots: Record<string, Float32Array>;
}

type GroupOptimizer = Adam | tf.MomentumOptimizer;
/** tfjs' NamedTensor, which its package index does not export. */
interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/**
 * The run's optimizer: one per parameter group (each with its own learning rate, as Ultralytics' param groups),
 * each applying the gradients of its group's variables. `originalName` maps tfjs' process-unique variable names
 * to the layers' own, which name the state.
 */
export class GroupedOptimizer extends tf.Optimizer {
  static readonly className = 'YoloTsGroupedOptimizer';
  readonly groups: GroupOptimizer[];
  private readonly groupOf = new Map<string, number>();

  constructor(
    make: (group: 0 | 1 | 2) => GroupOptimizer,
    private readonly originalName: ReadonlyMap<string, string>,
  ) {
    super();
    this.groups = ([0, 1, 2] as const).map(make);
    for (const [name, original] of originalName) this.groupOf.set(name, parameterGroup(original));
  }

  setLearningRates(rates: readonly number[]): void {
    this.groups.forEach((g, i) => g.setLearningRate(rates[i]!));
  }

  /** SGD momentum (warmup); Adam keeps its beta1 as in Ultralytics, whose warmup only sets a group's `momentum`. */
  setMomentum(momentum: number): void {
    // tfjs' optimizer classes answer instanceof for each other (Symbol.hasInstance by class name): test the method.
    for (const g of this.groups) if ('setMomentum' in g) g.setMomentum(momentum);
  }

  override applyGradients(gradients: tf.NamedTensorMap | NamedTensor[]): void {
    const named = Array.isArray(gradients) ? gradients : Object.entries(gradients).map(([name, tensor]) => ({ name, tensor }));
    const split: NamedTensor[][] = [[], [], []];
    for (const g of named) split[this.groupOf.get(g.name) ?? 0]!.push(g);
    // Every group steps every time, with or without variables here (a replica owns some of them), so that all keep
    // the same step count and Adam's bias correction.
    this.groups.forEach((g, i) => g.applyGradients(split[i]!));
  }

  /**
   * applyGradients for gradients a compiled step left in the wasm heap: each group updates its variables in place.
   * Only where every group is engine's Adam (AdamW), i.e. not SGD, on wasm.
   */
  applyInPlace(params: readonly { variable: tf.Variable; grad: { address: number } }[]): void {
    const split: (typeof params)[number][][] = [[], [], []];
    for (const p of params) split[this.groupOf.get(p.variable.name) ?? 0]!.push(p);
    this.groups.forEach((g, i) => (g as Adam).applyInPlace(split[i]!));
  }

  async state(): Promise<OptimizerState> {
    const iterations: number[] = [];
    const slots: Record<string, Float32Array> = {};
    for (const g of this.groups) {
      for (const { name, tensor } of await g.getWeights()) {
        if (name === 'iter') {
          // A scalar made for the call (the slots are the optimizer's own variables).
          iterations.push(tensor.dataSync()[0]!);
          tensor.dispose();
        } else {
          const cut = name.lastIndexOf('/');
          slots[`${this.originalName.get(name.slice(0, cut)) ?? name.slice(0, cut)}${name.slice(cut)}`] = tensor.dataSync() as Float32Array;
        }
      }
    }
    return { iterations, slots };
  }

  async restore(state: OptimizerState): Promise<void> {
    const byOriginal = new Map([...this.originalName].map(([name, original]) => [original, name]));
    const perGroup: NamedTensor[][] = [[], [], []];
    for (const [key, values] of Object.entries(state.slots)) {
      const cut = key.lastIndexOf('/');
      const name = byOriginal.get(key.slice(0, cut));
      if (name === undefined) continue;
      const variable = tf.engine().registeredVariables[name]!;
      perGroup[this.groupOf.get(name)!]!.push({ name: `${name}${key.slice(cut)}`, tensor: tf.tensor(values, variable.shape, 'float32') });
    }
    const given = perGroup.map((named, i) => [{ name: 'iter', tensor: tf.scalar(state.iterations[i] ?? 0, 'int32') }, ...named]);
    await Promise.all(this.groups.map((g, i) => g.setWeights(given[i]!)));
    // The optimizers' variables took the values; these tensors were only the carriers.
    tf.dispose(given.flat().map((n) => n.tensor));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {};
  }

  override dispose(): void {
    for (const g of this.groups) g.dispose();
  }
}

/** The chosen optimizer, built for `variables` (the model's trainable weights). */
export function makeOptimizer(cfg: RunConfig, nc: number, images: number, variables: readonly tf.LayerVariable[]): ReturnType<typeof chooseOptimizer> & { optimizer: GroupedOptimizer } {
  const choice = chooseOptimizer(cfg, nc, images);
  const { name, lr0, momentum } = choice;
  const names = new Map(variables.map((v) => [(v.read() as tf.Variable).name, v.originalName]));
  const optimizer = new GroupedOptimizer(
    (group) => (name === 'SGD' ? (tf.train.momentum(lr0, momentum, true) as tf.MomentumOptimizer) : new Adam(lr0, momentum, 0.999, 1e-8, name === 'AdamW' && group === 0 ? cfg.weight_decay : 0)),
    names,
  );
  return { ...choice, optimizer };
}

/** Ultralytics' lf(epoch): linear from 1 to lrf, or with cos_lr its one_cycle cosine, at epoch `epoch` (from 0). */
export function scheduleFactor(cfg: Pick<RunConfig, 'epochs' | 'lrf' | 'cos_lr'>, epoch: number): number {
  if (cfg.cos_lr) return Math.max((1 - Math.cos((epoch * Math.PI) / cfg.epochs)) / 2, 0) * (cfg.lrf - 1) + 1;
  return Math.max(1 - epoch / cfg.epochs, 0) * (1 - cfg.lrf) + cfg.lrf;
}

/** Steps of linear warmup: Ultralytics' max(warmup_epochs·steps, 100), but never more than a third of the run. */
export function warmupSteps(cfg: RunConfig, stepsPerEpoch: number): number {
  if (cfg.warmup_epochs <= 0) return 0;
  return Math.min(Math.max(Math.round(cfg.warmup_epochs * stepsPerEpoch), 100), Math.floor((cfg.epochs * stepsPerEpoch) / 3));
}

/** Learning rates of the three groups and the SGD momentum at one global step. */
export interface StepSchedule {
  rates: [number, number, number];
  momentum: number;
}

/**
 * Ultralytics' schedule at global step `step` (from 0): each group's lr0·lf(epoch); during warmup the weights'
 * rates rise linearly from 0 and the biases' fall from warmup_bias_lr, and SGD momentum rises from
 * warmup_momentum to momentum (np.interp over [0, warmup]).
 */
export function stepSchedule(cfg: RunConfig, choice: ReturnType<typeof chooseOptimizer>, warmup: number, stepsPerEpoch: number, step: number): StepSchedule {
  const lr = choice.lr0 * scheduleFactor(cfg, Math.floor(step / stepsPerEpoch));
  if (step >= warmup) return { rates: [lr, lr, lr], momentum: choice.momentum };
  const t = step / warmup;
  const rise = lr * t;
  return { rates: [rise, rise, choice.warmupBiasLr + (lr - choice.warmupBiasLr) * t], momentum: cfg.warmup_momentum + (choice.momentum - cfg.warmup_momentum) * t };
}
