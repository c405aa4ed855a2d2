import * as tf from '@tensorflow/tfjs';
import { emaUpdate } from '@yolo-ts/engine';

/**
 * Ultralytics' ModelEMA: an exponential moving average of every weight of the model (BatchNorm's running
 * statistics included), updated after each optimizer step with decay d = decay·(1 − e^(−updates/tau)), so early
 * on it follows the live weights and later averages over ~1/(1 − decay) steps. Validation and the saved
 * weights use the average, which generalises better than the last step's weights.
 */
export class ModelEma {
  private readonly average: tf.Variable[];
  private updates = 0;

  /** `indices` limits the average to those of `model.weights` (data-parallel replicas share the work). */
  constructor(
    private readonly model: tf.LayersModel,
    readonly indices: number[] = model.weights.map((_, i) => i),
    private readonly decay = 0.9999,
    private readonly tau = 2000,
  ) {
    this.average = indices.map((i) => tf.variable(model.weights[i]!.read(), false));
  }

  update(): void {
    this.updates++;
    const d = this.decay * (1 - Math.exp(-this.updates / this.tau));
    this.indices.forEach((w, k) => emaUpdate(this.average[k]!, this.model.weights[w]!.read(), d));
  }

  /** Runs `fn` with the averaged weights in the model, then puts the live ones back (needs all weights averaged). */
  async withAverage<T>(fn: () => Promise<T> | T): Promise<T> {
    if (this.indices.length !== this.model.weights.length) throw new Error('withAverage needs the average of every weight');
    const live = this.model.weights.map((w) => w.read().clone());
    this.model.setWeights(this.average);
    try {
      return await fn();
    } finally {
      this.model.setWeights(live);
      tf.dispose(live);
    }
  }

  /** Copies of the averaged weights, in the order of `indices`. */
  values(): Float32Array[] {
    return this.average.map((v) => v.dataSync() as Float32Array);
  }

  dispose(): void {
    tf.dispose(this.average);
  }
}
