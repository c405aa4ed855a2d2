import * as tfjs from '@tensorflow/tfjs';
import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeKernels, nativePool, type NativeKernels } from '../native.js';
import type { NativePool, Recording } from '../native-pool.js';
import { CompiledTrainStep, PlanUnsupported, type CompileOptions, type TrainStepPlan } from './compile.js';
import type { Param } from './graph.js';
import { ownedAddress } from './heap-variables.js';
import { Parallel, parallelOf } from './parallel.js';

/**
 * Runs two half-batch plans side by side: the second plan is built on `kernels`, so its calls are recorded, and
 * the native pool's helper runs the recording in one hand-over while this thread runs the first plan. Without a
 * helper thread `kernels` are the real ones and the halves run one after the other.
 */
class HalfRunner {
  readonly kernels?: NativeKernels;
  private readonly recording?: Recording;
  private readonly pool?: NativePool;

  constructor(backend: BackendWasm) {
    const pool = nativePool(backend);
    this.pool = pool && pool.threads > 1 ? pool : undefined;
    this.recording = this.pool?.recorder();
    this.kernels = this.recording?.kernels;
  }

  run(first: () => void, second: () => void): void {
    if (!this.pool || !this.recording) {
      first();
      second();
      return;
    }
    this.recording.clear();
    second();
    this.pool.runBeside(this.recording, first);
  }
}

/**
 * A compiled step that trains each half of the batch on its own thread: two plans over the same weights, the
 * second one's calls recorded and run by the native pool's helper in one hand-over, the first run here meanwhile
 * (handing over each big kernel instead costs ~10 µs a call, most of a small step). As data-parallel replicas (and
 * PyTorch DDP without SyncBN), BatchNorm normalises each half by its own statistics; the halves' gradients are
 * averaged by image count and their moving statistics by half, then one optimizer step applies them. Without a
 * helper thread the halves run one after the other: what a step computes depends on the batch, not the machine.
 */
export class DataParallelStep implements TrainStepPlan {
  readonly params: Param[];
  private readonly a: CompiledTrainStep;
  private readonly b: CompiledTrainStep;
  private readonly halves: HalfRunner;
  private readonly par: Parallel;
  private readonly pairs: { a: Param; b: Param }[];

  constructor(
    private readonly backend: BackendWasm,
    model: tf.LayersModel,
    options: CompileOptions,
  ) {
    this.par = parallelOf(backend);
    this.halves = new HalfRunner(backend);
    const half = Math.ceil(options.maxBatch / 2);
    this.a = new CompiledTrainStep(backend, model, { ...options, maxBatch: half, threaded: false });
    this.b = new CompiledTrainStep(backend, model, { ...options, maxBatch: half, kernels: this.halves.kernels, threaded: false, privateStatistics: true });
    this.params = this.a.params;
    const inB = new Map(this.b.params.map((p) => [p.variable, p]));
    this.pairs = this.a.params.map((a) => ({ a, b: inB.get(a.variable)! }));
  }

  /** Heap bytes the two plans hold. */
  get bytes(): number {
    return this.a.bytes + this.b.bytes;
  }

  /** As CompiledTrainStep.run: gradients (of the whole batch) in `params`, the mean loss returned. */
  run(x: tf.Tensor, y: tf.Tensor): number {
    const n = x.shape[0]!;
    const labels = y.dataSync() as Int32Array;
    const address = this.backend.getMemoryOffset(x.dataId);
    const nA = Math.ceil(n / 2);
    const nB = n - nA;
    if (nB === 0) {
      this.a.issue(address, labels, nA);
      return this.a.loss(nA);
    }
    this.b.loadStatistics();
    this.halves.run(
      () => this.a.issue(address, labels, nA),
      () => this.b.issue(address + 4 * nA * (x.size / n), labels.subarray(nA), nB),
    );
    const wA = nA / n;
    for (const { a, b } of this.pairs) {
      const [ga, gb] = [a.grad.address, b.grad.address];
      this.par.split('ema_update', a.grad.floats, Parallel.min(3), (lo, hi) => [ga + 4 * lo, gb + 4 * lo, ga + 4 * lo, hi - lo, wA], 4);
    }
    const k = nativeKernels(this.backend);
    for (const { variable, slot } of this.b.statistics) {
      const v = ownedAddress(this.backend, variable);
      k.ema_update(v, slot.address, v, slot.floats, 0.5);
    }
    return wA * this.a.loss(nA) + (1 - wA) * this.b.loss(nB);
  }

  dispose(): void {
    this.a.dispose();
    this.b.dispose();
  }
}

/**
 * A compiled step for `model` on the active backend (with `halves`, a {@link DataParallelStep}), or the reason it
 * cannot be compiled.
 */
export function compileTrainStep(model: tf.LayersModel, options: CompileOptions & { halves?: boolean }): TrainStepPlan | PlanUnsupported {
  if (tfjs.getBackend() !== 'wasm') return new PlanUnsupported(`the ${tfjs.getBackend()} backend`);
  const backend = tfjs.backend() as BackendWasm;
  try {
    return options.halves ? new DataParallelStep(backend, model, options) : new CompiledTrainStep(backend, model, options);
  } catch (error) {
    if (error instanceof PlanUnsupported) return error;
    throw error;
  }
}

const PREDICT_CHUNK = 64;

/**
 * A model's inference forward compiled as CompiledTrainStep's (BatchNorm with its moving statistics), each half
 * of a batch on its own thread as in DataParallelStep: what validation runs on wasm instead of tfjs ops.
 */
export class CompiledPredictor {
  /** Images per plan call: the two plans hold 34 MB of activations at any batch, not 166 MB at batch 1000. */
  private readonly chunk: number;
  private readonly a: CompiledTrainStep;
  private readonly b: CompiledTrainStep;
  private readonly halves: HalfRunner;

  constructor(
    private readonly backend: BackendWasm,
    model: tf.LayersModel,
    maxBatch: number,
  ) {
    this.halves = new HalfRunner(backend);
    this.chunk = Math.min(PREDICT_CHUNK, Math.ceil(maxBatch / 2));
    this.a = new CompiledTrainStep(backend, model, { maxBatch: this.chunk, threaded: false, inference: true });
    this.b = new CompiledTrainStep(backend, model, { maxBatch: this.chunk, kernels: this.halves.kernels, threaded: false, inference: true });
  }

  /** How many Conv → BatchNormAct pairs run as one conv with the BatchNorm folded in (Ultralytics' fuse()). */
  get foldedBatchNorms(): number {
    return this.a.foldedBatchNorms;
  }

  /** Logits [n, classes] (row-major) of the batch `x` as the model's input takes it. */
  predict(x: tf.Tensor): Float32Array {
    const n = x.shape[0]!;
    const per = x.size / n;
    const address = this.backend.getMemoryOffset(x.dataId);
    let logits: Float32Array | undefined;
    // Two chunks at a time, one per thread; each runs the whole net before the next starts.
    for (let start = 0; start < n; start += 2 * this.chunk) {
      const nA = Math.min(this.chunk, n - start);
      const nB = Math.min(this.chunk, n - start - nA);
      const at = address + 4 * start * per;
      if (nB > 0)
        this.halves.run(
          () => this.a.issueForward(at, nA),
          () => this.b.issueForward(at + 4 * nA * per, nB),
        );
      else this.a.issueForward(at, nA);
      const ofA = this.a.logitsOf(nA);
      const nc = ofA.length / nA;
      logits ??= new Float32Array(n * nc);
      logits.set(ofA, start * nc);
      if (nB > 0) logits.set(this.b.logitsOf(nB), (start + nA) * nc);
    }
    return logits!;
  }

  dispose(): void {
    this.a.dispose();
    this.b.dispose();
  }
}

/** A compiled inference forward for `model` on the active backend, or the reason it cannot be compiled. */
export function compilePredictor(model: tf.LayersModel, maxBatch: number): CompiledPredictor | PlanUnsupported {
  if (tfjs.getBackend() !== 'wasm') return new PlanUnsupported(`the ${tfjs.getBackend()} backend`);
  try {
    return new CompiledPredictor(tfjs.backend() as BackendWasm, model, maxBatch);
  } catch (error) {
    if (error instanceof PlanUnsupported) return error;
    throw error;
  }
}
