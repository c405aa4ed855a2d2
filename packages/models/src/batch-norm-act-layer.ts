import * as tf from '@tensorflow/tfjs';
import { batchNormAct, batchNormActInference, type BatchNormActivation } from '@yolo-ts/engine';

export interface BatchNormActArgs {
  /** Keras convention: moving = moving·momentum + batch·(1 − momentum). PyTorch's momentum 0.03 is 0.97 here. */
  momentum?: number;
  epsilon?: number;
  /** Applied after the affine transform: `silu` (x·σ(x)) as in Ultralytics' Conv, or `linear`. */
  activation?: BatchNormActivation;
  name?: string;
}

/**
 * BatchNorm over the channel axis fused with its activation: the `Conv → BN → SiLU` tail of every yolo-ts conv
 * block as one layer. Training runs engine's `batchNormAct` (one native forward and one closed-form backward on
 * wasm) and updates the moving statistics; inference normalises with them, as Keras' BatchNormalization does.
 */
export class BatchNormAct extends tf.layers.Layer {
  static readonly className = 'YoloTsBatchNormAct';
  readonly momentum: number;
  readonly epsilon: number;
  readonly activation: BatchNormActivation;
  private gamma!: tf.LayerVariable;
  private beta!: tf.LayerVariable;
  private movingMean!: tf.LayerVariable;
  private movingVariance!: tf.LayerVariable;
  /**
   * Training batches this layer has normalised since it was built or loaded (PyTorch's `num_batches_tracked`).
   * Kept in JavaScript, not saved: a loaded model re-estimates its statistics on the data it is trained on next.
   */
  batchesTracked = 0;

  constructor(args: BatchNormActArgs = {}) {
    super({ name: args.name });
    this.momentum = args.momentum ?? 0.99;
    this.epsilon = args.epsilon ?? 1e-3;
    this.activation = args.activation ?? 'linear';
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[shape.length - 1]!;
    this.gamma = this.addWeight('gamma', [channels], 'float32', tf.initializers.ones());
    this.beta = this.addWeight('beta', [channels], 'float32', tf.initializers.zeros());
    this.movingMean = this.addWeight('moving_mean', [channels], 'float32', tf.initializers.zeros(), undefined, false);
    this.movingVariance = this.addWeight('moving_variance', [channels], 'float32', tf.initializers.ones(), undefined, false);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const gamma = this.gamma.read() as tf.Tensor1D;
    const beta = this.beta.read() as tf.Tensor1D;
    if (kwargs.training) {
      const moving = { mean: this.movingMean.read() as tf.Tensor1D, variance: this.movingVariance.read() as tf.Tensor1D, momentum: this.trackingMomentum() };
      this.batchesTracked++;
      const { y, movingMean, movingVariance } = batchNormAct(x, gamma, beta, this.epsilon, this.activation, moving);
      this.movingMean.write(movingMean);
      this.movingVariance.write(movingVariance);
      return y;
    }
    return batchNormActInference(x, this.movingMean.read() as tf.Tensor1D, this.movingVariance.read() as tf.Tensor1D, gamma, beta, this.epsilon, this.activation);
  }

  /**
   * The momentum of this step's moving-statistics update: the cumulative average of the batch statistics seen so far
   * (n/(n+1), PyTorch's `momentum=None`) until that reaches `momentum`, then `momentum`. A plain moving average
   * starts from mean 0 and variance 1 and, at 0.97, still holds 0.97^25 = 47% of that variance of 1 after 25 steps
   * while a layer's real variance is ~0.03 or less: inference then shrinks every layer's output and a short run
   * (mnist160: 5 steps an epoch) validates at chance however well it trains.
   */
  private trackingMomentum(): number {
    return Math.min(this.momentum, this.batchesTracked / (this.batchesTracked + 1));
  }

  /**
   * The filter and bias of a bias-free convolution `kernel` [kh, kw, ci, co] feeding this layer with the inference
   * BatchNorm folded in: scale = γ/√(var + ε), filter = kernel·scale, bias = β − mean·scale.
   */
  fold(kernel: tf.Tensor4D): { filter: tf.Tensor4D; bias: tf.Tensor1D } {
    return tf.tidy(() => {
      const scale = tf.mul(this.gamma.read(), tf.rsqrt(tf.add(this.movingVariance.read(), this.epsilon)));
      return { filter: tf.mul(kernel, scale) as tf.Tensor4D, bias: tf.sub(this.beta.read(), tf.mul(this.movingMean.read(), scale)) as tf.Tensor1D };
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), momentum: this.momentum, epsilon: this.epsilon, activation: this.activation };
  }
}

tf.serialization.registerClass(BatchNormAct);
