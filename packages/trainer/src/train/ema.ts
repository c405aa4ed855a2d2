import * as tf from '@tensorflow/tfjs';
import { emaUpdate, emaUpdateInPlace, renewBuffers } from '@yolo-ts/engine';

/**
 * Ultralytics' ModelEMA: an exponential moving average of every weight of the model (BatchNorm's running
 * statistics included), updated after each optimizer step with decay d = decay·(1 − e^(−updates/tau)), so early
 * on it follows the live weights and later averages over ~1/(1 − decay) steps. Validation and the saved
 * weights use the average, which generalises better than the last step's weights.
 */
/** Ultralytics' EMA decay after `updates` steps: ramps up from 0 so that early on the average follows the weights. */
export function emaDecay(updates: number, decay = 0.9999, tau = 2000): number {
  return decay * (1 - Math.exp(-updates / tau));
}

export class ModelEma {
  private readonly average: tf.Variable[];
  private updates = 0;

  constructor(
    private readonly model: tf.LayersModel,
    private readonly decay = 0.9999,
    private readonly tau = 2000,
  ) {
    this.average = model.weights.map((w) => tf.variable(w.read(), false));
  }

  update(): void {
    this.updates++;
    const d = emaDecay(this.updates, this.decay, this.tau);
    const pairs = this.model.weights.map((w, i) => [this.average[i]!, w.read() as tf.Variable] as const);
    // In place on wasm: ~150 tfjs ops a step otherwise, a few ms at the CLI's batch of 16.
    if (!emaUpdateInPlace(pairs, d)) for (const [a, w] of pairs) emaUpdate(a, w, d);
  }

  /** Continues an average saved by `values()` after `updates` steps (a resumed run). */
  restore(values: readonly Float32Array[], updates: number): void {
    this.average.forEach((a, i) => {
      const value = tf.tensor(values[i]!, a.shape, 'float32');
      a.assign(value);
      value.dispose();
    });
    this.updates = updates;
  }

  /** Copies of the averages, in `model.weights` order. */
  values(): Float32Array[] {
    return this.average.map((a) => a.dataSync().slice() as Float32Array);
  }

  /** Runs `fn` with the averaged weights in the model, then puts the live ones back. */
  async withAverage<T>(fn: () => Promise<T> | T): Promise<T> {
    const live = this.model.weights.map((w) => w.read().clone());
    renewBuffers(this.average); // updated in place: stock kernels must not see a stale cache of them
    this.model.setWeights(this.average);
    try {
      return await fn();
    } finally {
      this.model.setWeights(live);
      tf.dispose(live);
    }
  }

  dispose(): void {
    tf.dispose(this.average);
  }
}

/**
 * The same average over plain arrays, for data-parallel replicas: each averages its share of the weights straight
 * from where the step left them (shared memory), with no tensor op per weight.
 */
export class ArrayEma {
  /**
   * `sources[k]` gives the current values of weight `indices[k]` (of `model.weights`); `average[k]` starts as its
   * copy, or as the saved average of a resumed run after `updates` steps.
   */
  constructor(
    readonly indices: number[],
    private readonly sources: (() => Float32Array)[],
    private readonly average: Float32Array[],
    private updates = 0,
  ) {}

  update(): void {
    const d = emaDecay(++this.updates);
    const e = 1 - d;
    this.sources.forEach((source, k) => {
      const w = source();
      const a = this.average[k]!;
      for (let i = 0; i < a.length; i++) a[i] = d * a[i]! + e * w[i]!;
    });
  }

  /** Copies of the averages, in the order of `indices`. */
  values(): Float32Array[] {
    return this.average.map((a) => a.slice());
  }
}
