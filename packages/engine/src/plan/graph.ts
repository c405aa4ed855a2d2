import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { NativeKernels } from '../native.js';
import type { Arena, Slot } from './arena.js';
import { Parallel } from './parallel.js';

/** A tensor of the model's graph: its values and, where the loss depends on it through weights, its gradient. */
export interface Value {
  /** Shape of one image's part, e.g. [h, w, c] or [features]. */
  shape: number[];
  /** Floats per image. */
  per: number;
  data: Slot;
  grad?: Slot;
  /** Consumers that add to the gradient, in graph order (see {@link Contribution}). */
  contributions: Contribution[];
}

/**
 * One consumer's part of a value's gradient. The backward pass runs consumers in reverse graph order, so the last
 * consumer writes the gradient and the earlier ones add to it: no zeroing pass.
 */
export interface Contribution {
  value: Value;
  /** Whether this consumer adds to what a later consumer already wrote. */
  acc: boolean;
}

/** A trainable weight and the buffer its gradient lands in. */
export interface Param {
  variable: tf.Variable;
  grad: Slot;
}

/** A BatchNorm moving statistic kept in a plan's own buffer (see CompileOptions.privateStatistics). */
export interface Statistic {
  variable: tf.Variable;
  slot: Slot;
}

/** A layer as native calls over arena buffers; `n` is the step's batch (up to the compiled maximum). */
export interface PlanNode {
  forward(n: number): void;
  backward(n: number): void;
}

/** What a layer's builder gets: the kernels, the arena, its inputs and a way to declare outputs and weights. */
export interface BuildContext {
  backend: BackendWasm;
  k: NativeKernels;
  arena: Arena;
  maxBatch: number;
  /** Moving statistics go to plan buffers, registered in `statistics`, not to the layers' variables. */
  privateStatistics: boolean;
  /** Forward only, in inference mode (BatchNorm normalises with its moving statistics); no gradient buffers. */
  inference: boolean;
  statistics: Statistic[];
  par: Parallel;
  /** Each thread's gemm panel. */
  panels: Slot[];
  /** A scratch buffer of `floats` per thread, shared by name. */
  perThread(name: string, floats: number): Slot[];
  inputs: Value[];
  /** A new value of per-image `shape` (with a gradient buffer unless `noGrad`). */
  output(shape: number[], noGrad?: boolean): Value;
  /** Registers that this layer adds to `value`'s gradient (undefined where `value` needs none). */
  contribute(value: Value): Contribution | undefined;
  /** Where a weight's values are now (tfjs moves them when it assigns the variable: ask at every call). */
  address(variable: tf.Variable): number;
  /** Declares a trainable weight; returns its gradient buffer. */
  param(variable: tf.Variable): Slot;
}

/** A value's gradient for one contribution: where to write it, and the step that completes it. */
export function gradTarget(par: Parallel, c: Contribution, tmp: Slot, n: number): { address: number; finish(): void } {
  const grad = c.value.grad!;
  if (!c.acc) return { address: grad.address, finish() {} };
  return { address: tmp.address, finish: () => accumulate(par, grad.address, tmp.address, n * c.value.per, true) };
}

/** dst = src or dst += src over n floats (as one row of move_cols), split between threads. */
export function accumulate(par: Parallel, dst: number, src: number, n: number, acc: boolean): void {
  par.split('move_cols', n, Parallel.min(2), (lo, hi) => [src + 4 * lo, hi - lo, 0, dst + 4 * lo, hi - lo, 0, 1, hi - lo, acc ? 1 : 0], 4);
}

/** A kernel over rows of `rowFloats` each, split between threads by rows: `argsFor` gets the byte offset of row lo. */
export function byRows(par: Parallel, name: Parameters<Parallel['split']>[0], rows: number, rowFloats: number, argsFor: (lo: number, count: number, t: number) => number[]): void {
  par.split(name, rows, Parallel.min(rowFloats), (lo, hi, t) => argsFor(lo, hi - lo, t));
}

export const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
