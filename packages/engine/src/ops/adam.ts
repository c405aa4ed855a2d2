import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ADAM_UPDATE } from '../kernels/adam.js';
import { ownedAddress } from '../plan/heap-variables.js';
import { Parallel, parallelOf } from '../plan/parallel.js';

/** A tensor with the name it is saved under (tfjs' own type is not exported). */
interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

interface Moments {
  m: tf.Variable;
  v: tf.Variable;
}

/**
 * Adam as PyTorch defines it (ε = 1e-8 added to √v̂), one fused native pass per parameter on wasm and tfjs ops
 * elsewhere. With `weightDecay` > 0 it is AdamW: w ← (1 − lr·weightDecay)·w before the step, applied as
 * Ultralytics' param groups do to weight matrices and kernels (rank ≥ 2) only, never to biases or BatchNorm. A drop-in tf.Optimizer: `optimizer.minimize(...)` works as with `tf.train.adam`. Its state
 * (step count and moments) round-trips through getWeights/setWeights, which resuming a run relies on.
 */
export class Adam extends tf.Optimizer {
  static readonly className = 'YoloTsAdam';
  private step = 0;
  private readonly moments = new Map<string, Moments>();

  constructor(
    public learningRate: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-8,
    readonly weightDecay = 0,
  ) {
    super();
  }

  /** Same method as tfjs' SGD/Momentum optimizers, so schedules can drive either. */
  setLearningRate(learningRate: number): void {
    this.learningRate = learningRate;
  }

  override applyGradients(gradients: tf.NamedTensorMap | NamedTensor[]): void {
    const named = Array.isArray(gradients) ? gradients : Object.entries(gradients).map(([name, tensor]) => ({ name, tensor }));
    const { bc1, bc2 } = this.advance();
    const fused = tf.getKernel(ADAM_UPDATE, tf.getBackend()) !== undefined;
    for (const { name, tensor: g } of named) {
      if (!g) continue;
      const w = tf.engine().registeredVariables[name]!;
      const { m, v } = this.momentsOf(w);
      const decay = w.rank > 1 ? this.learningRate * this.weightDecay : 0;
      tf.tidy(() => {
        const [w2, m2, v2] = fused
          ? (tf.engine().runKernel(ADAM_UPDATE, { w, g, m, v }, { lr: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, bc1, bc2, decay }) as unknown as tf.Tensor[])
          : this.update(w, g, m, v, bc1, bc2, decay);
        w.assign(w2!);
        m.assign(m2!);
        v.assign(v2!);
      });
    }
  }

  /**
   * The same step for gradients already in the wasm heap (a compiled step's `params`): weights and moments are
   * updated in place, one native pass each, with no tensor made. Only on the wasm backend.
   */
  applyInPlace(gradients: readonly { variable: tf.Variable; grad: { address: number } }[]): void {
    const backend = tf.backend() as BackendWasm;
    const par = parallelOf(backend);
    const { bc1, bc2 } = this.advance();
    for (const { variable: w, grad } of gradients) {
      const state = this.momentsOf(w);
      const decay = w.rank > 1 ? this.learningRate * this.weightDecay : 0;
      const [pw, pm, pv] = [w, state.m, state.v].map((t) => ownedAddress(backend, t)) as [number, number, number];
      const g = grad.address;
      // adam_update with each output its own input.
      par.split('adam_update', w.size, Parallel.min(8), (lo, hi) => {
        const at = 4 * lo;
        return [pw + at, g + at, pm + at, pv + at, pw + at, pm + at, pv + at, hi - lo, this.learningRate, this.beta1, this.beta2, this.epsilon, bc1, bc2, decay];
      }, 4);
    }
  }

  /** Counts a step; its bias corrections 1 − β^t. */
  private advance(): { bc1: number; bc2: number } {
    this.step++;
    return { bc1: 1 - this.beta1 ** this.step, bc2: 1 - this.beta2 ** this.step };
  }

  /** The moments of `w`, zeros at its first step. */
  private momentsOf(w: tf.Variable): Moments {
    let state = this.moments.get(w.name);
    if (!state) {
      state = tf.tidy(() => ({ m: tf.variable(tf.zerosLike(w), false), v: tf.variable(tf.zerosLike(w), false) }));
      this.moments.set(w.name, state);
    }
    return state;
  }

  private update(w: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, bc1: number, bc2: number, decay: number): tf.Tensor[] {
    const m2 = tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1));
    const v2 = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
    const w2 = tf.sub(decay ? tf.mul(w, 1 - decay) : w, tf.div(tf.mul(m2, this.learningRate / bc1), tf.add(tf.sqrt(tf.div(v2, bc2)), this.epsilon)));
    return [w2, m2, v2];
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const state = [...this.moments.entries()].flatMap(([name, { m, v }]) => [
      { name: `${name}/m`, tensor: m },
      { name: `${name}/v`, tensor: v },
    ]);
    return [{ name: 'iter', tensor: tf.scalar(this.step, 'int32') }, ...state];
  }

  override async setWeights(weights: NamedTensor[]): Promise<void> {
    this.dispose();
    for (const { name, tensor } of weights) {
      if (name === 'iter') {
        this.step = tensor.dataSync()[0]!;
        continue;
      }
      const [variable, which] = [name.slice(0, name.lastIndexOf('/')), name.slice(name.lastIndexOf('/') + 1) as 'm' | 'v'];
      const state = this.moments.get(variable) ?? ({} as Moments);
      state[which] = tf.variable(tensor, false);
      this.moments.set(variable, state);
    }
  }

  override dispose(): void {
    for (const { m, v } of this.moments.values()) tf.dispose([m, v]);
    this.moments.clear();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, weightDecay: this.weightDecay };
  }
}
