import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { YoloTsError, type ImageSplit } from '@yolo-ts/core-data';
import { summarize } from '@yolo-ts/models';
import { ConfigError } from '../config/config.js';
import { compiledStepApplies, LocalRunner, type EpochRunner, type EpochStart, type EpochTotals, type RunnerState, type StepListener, type TrainPlan, describeOptimizer } from '../train/epoch-runner.js';
import type { OptimizerState } from '../train/optimizer.js';
import { sharedSplit, slotLength, type ReplicaInit, type ReplicaShared } from './replica-sync.js';
import type { FromReplica, ToReplica } from './replica-worker.js';

/** A replica failed; the run stops with this one line. */
export class ReplicaError extends YoloTsError {
  static override readonly code: string = 'E_REPLICA';
  static override readonly kind = 'runtime' as const;
}

/** src/replicas/ and dist/replicas/ both sit two levels below the package root; the worker runs from the build. */
const WORKER = fileURLToPath(new URL('../../dist/replicas/replica-worker.js', import.meta.url));

/**
 * Replicas pay off where each one's share of a step is big against what every replica pays in full (the fixed
 * cost of ~1000 tfjs ops per step) and what they exchange (every gradient): at least 32 images, and at least 150
 * multiply-adds per trainable parameter. Measured on 2 cores (`pnpm bench` and same-process A/B runs): batch
 * 16 trains as fast or faster in one thread, 32 alike; at 64 cnn-small and cnn-bn (320, 2530 per parameter) train
 * 1.2× faster on replicas, yolo26n-cls (77) as fast or faster on threaded kernels, and at 256 (307) on replicas.
 */
const MIN_IMAGES_PER_REPLICA = 32;
const MIN_MACS_PER_PARAM = 150;

/** What a step costs and exchanges: forward multiply-adds per image and trainable parameters. */
export interface StepWork {
  macs: number;
  params: number;
  /**
   * Whether this thread would run engine's compiled step, which trains half batches on threads itself and beats
   * replicas at every measured batch (`pnpm bench`: yolo26n-cls at 256 2,171 vs 1,548 img/s, cnn-bn at 64 1,146 vs
   * 914): then `replicas=0` means one process.
   */
  compiled?: boolean;
}


/**
 * How many data-parallel replicas train: `replicas=0` (auto) means several on wasm where each replica's share is
 * big enough (see MIN_IMAGES_PER_REPLICA), else 1, which trains in this thread on threaded kernels. Several is
 * one per core, or with `deterministic` always 2: BatchNorm normalises each replica's shard by its own statistics,
 * so the replica count is part of what a run computes and must not follow the machine.
 */
export function replicaCount(requested: number, backend: string, batch: number, work?: StepWork, deterministic = false): number {
  if (requested > 1 && backend === 'tensorflow') throw new ConfigError(`replicas=${requested} needs device=wasm or device=cpu: tfjs-node already uses every core`);
  let n = requested;
  if (n === 0) {
    n = backend === 'wasm' ? (deterministic ? 2 : availableParallelism()) : 1;
    const share = batch / n;
    if (work?.compiled || share < MIN_IMAGES_PER_REPLICA || (work && (share * work.macs) / work.params < MIN_MACS_PER_PARAM)) n = 1;
  }
  return Math.max(1, Math.min(n, batch));
}

/** The multiply-adds per image and trainable parameters of `model`, and whether its step would run compiled. */
export function stepWork(model: tf.LayersModel, compiled = false): StepWork {
  return { macs: summarize(model).macs, params: model.countParams() - model.nonTrainableWeights.reduce((a, w) => a + w.read().size, 0), compiled };
}

/**
 * The runner a run trains with: replicas in worker threads, or this thread. `model` holds the live weights; a
 * resumed run passes the rest of its state.
 */
export async function createRunner(model: tf.LayersModel, split: ImageSplit, plan: TrainPlan, backend: string, resume?: RunnerState): Promise<EpochRunner> {
  const n = replicaCount(plan.cfg.replicas, backend, plan.cfg.batch, stepWork(model, compiledStepApplies(plan, model)), plan.cfg.deterministic);
  if (n <= 1) return LocalRunner.create(model, split, plan, resume);
  return ReplicaRunner.start(model, split, plan, backend, n, resume);
}

async function artifactsOf(model: tf.LayersModel): Promise<ReplicaInit['artifacts']> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const { modelTopology, weightSpecs, weightData } = artifacts!;
  return { modelTopology: modelTopology as object, weightSpecs: weightSpecs!, weightData: weightData as ArrayBuffer };
}

/** Trains on `n` replicas in worker threads; this thread's model receives the EMA weights to validate and save. */
class ReplicaRunner implements EpochRunner {
  private onMessage?: (message: FromReplica) => void;
  private failure?: Error;
  /** Optimizer steps so far (a resumed run starts from its count). */
  private steps = 0;

  private constructor(
    private readonly model: tf.LayersModel,
    private readonly workers: Worker[],
    private readonly shared: ReplicaShared,
    private readonly plan: TrainPlan,
    readonly description: string,
  ) {
    for (const worker of workers) {
      worker.on('message', (message: FromReplica) => this.receive(message));
      worker.on('error', (error) => this.fail(error));
    }
  }

  static async start(model: tf.LayersModel, split: ImageSplit, plan: TrainPlan, backend: string, n: number, resume?: RunnerState): Promise<ReplicaRunner> {
    const size = (ws: tf.LayerVariable[]) => ws.reduce((a, w) => a + w.read().size, 0);
    const layout = { trainable: size(model.trainableWeights), stats: size(model.nonTrainableWeights) };
    const shared: ReplicaShared = {
      split: sharedSplit(split),
      order: new Int32Array(new SharedArrayBuffer(4 * Math.max(split.count, plan.images))),
      barrier: new Int32Array(new SharedArrayBuffer(8)),
      exchange: new Float32Array(new SharedArrayBuffer(4 * 2 * n * slotLength(layout))),
      weights: new Float32Array(new SharedArrayBuffer(4 * layout.trainable)),
      control: new Int32Array(new SharedArrayBuffer(8)),
      replicas: n,
      ...layout,
    };
    const artifacts = await artifactsOf(model);
    // Every replica starts from the model's live weights; they are also what `shared.weights` holds until a step.
    let offset = 0;
    for (const w of model.trainableWeights) {
      shared.weights.set(w.read().dataSync(), offset);
      offset += w.read().size;
    }
    const carried = resume && { ema: resume.ema, steps: resume.steps, optimizer: resume.optimizer };
    const workers = Array.from({ length: n }, (_, index) => {
      const init: ReplicaInit = { shared, index, plan, backend, artifacts, resume: carried };
      // One thread per replica: the replicas are the parallelism.
      return new Worker(WORKER, { workerData: init, env: { ...process.env, YOLO_TS_THREADS: '1' } });
    });
    const runner = new ReplicaRunner(model, workers, shared, plan, `${describeOptimizer(plan)}, ${n} replicas (1 thread each)`);
    runner.steps = resume?.steps ?? 0;
    // No replica is terminated before every one has settled: Node 20 aborts the whole process ("FATAL ERROR:
    // v8::ToLocalChecked Empty MaybeLocal") when a worker is terminated while it reports its own uncaught error, as
    // a replica does whose model fails to load. So a replica that threw counts as settled once it has exited.
    const started = await Promise.allSettled(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            let thrown: Error | undefined;
            w.once('message', (m: FromReplica) => (m.type === 'ready' ? resolve() : reject(new Error(m.type === 'error' ? m.message : 'no ready message'))));
            w.once('error', (error) => (thrown = error));
            w.once('exit', (code) => reject(thrown ?? new Error(`the replica exited with code ${code} before it was ready`)));
          }),
      ),
    );
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await runner.dispose();
      // The model must rebuild from its saved form in a fresh thread: custom layers have to be registered on import.
      throw new ReplicaError(`a training replica could not start: ${(failed.reason as Error).message} (replicas=1 trains in this thread)`);
    }
    return runner;
  }

  private receive(message: FromReplica): void {
    if (message.type === 'error') this.fail(new ReplicaError(`a training replica failed: ${message.message}`));
    else this.onMessage?.(message);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.onMessage?.({ type: 'error', message: error.message });
  }

  /** Sends `request` to every replica and resolves with the first value `accept` returns for their messages. */
  private exchange<T>(request: ToReplica, accept: (m: FromReplica) => T | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.onMessage = (m) => {
        if (m.type === 'error') return reject(this.failure);
        const value = accept(m);
        if (value !== undefined) {
          this.onMessage = undefined;
          resolve(value);
        }
      };
      for (const worker of this.workers) worker.postMessage(request);
    });
  }

  runEpoch(epoch: number, order: Int32Array, onStep: StepListener, start: EpochStart = { step: 0, lossSum: 0 }, shouldStop = () => false): Promise<EpochTotals> {
    if (order.length > this.shared.order.length) throw new RangeError(`an epoch of ${order.length} images exceeds the ${this.shared.order.length} the replicas were started for`);
    this.shared.order.set(order);
    this.shared.control.fill(0);
    // `time=` may have re-planned the epochs, which the schedule depends on.
    return this.exchange({ type: 'epoch', epoch, epochs: this.plan.cfg.epochs, images: order.length, start }, (m) => {
      if (m.type === 'step') {
        this.steps++;
        onStep(m.batch, m.images, m.lossSum);
        if (shouldStop()) Atomics.store(this.shared.control, 0, 1);
      }
      return m.type === 'epoch' ? { lossSum: m.lossSum, rates: m.rates, steps: m.steps } : undefined;
    });
  }

  async state(): Promise<RunnerState> {
    const weights = this.model.weights;
    const ema: Float32Array[] = [];
    const slots: OptimizerState['slots'] = {};
    let iterations: number[] = [];
    let stats: Float32Array[] = [];
    let replies = 0;
    await this.exchange({ type: 'state' }, (m) => {
      if (m.type !== 'state') return undefined;
      m.indices.forEach((w, k) => (ema[w] = m.ema[k]!));
      Object.assign(slots, m.optimizer.slots);
      if (m.stats) [stats, iterations] = [m.stats, m.optimizer.iterations];
      return ++replies === this.workers.length ? true : undefined;
    });
    // Live values: the trainable variables from the shared weights, the statistics from replica 0.
    const live: Float32Array[] = [];
    let offset = 0;
    let stat = 0;
    for (const w of weights) {
      if (this.model.trainableWeights.includes(w)) {
        live.push(this.shared.weights.slice(offset, offset + w.read().size));
        offset += w.read().size;
      } else live.push(stats[stat++]!);
    }
    return { live, ema, steps: this.steps, optimizer: { iterations, slots } };
  }

  async withAverage<T>(fn: () => Promise<T> | T): Promise<T> {
    // Every replica averages its share of the weights.
    const weights: Float32Array[] = [];
    let replies = 0;
    await this.exchange({ type: 'weights' }, (m) => {
      if (m.type !== 'weights') return undefined;
      m.indices.forEach((w, k) => (weights[w] = m.weights[k]!));
      return ++replies === this.workers.length ? true : undefined;
    });
    const tensors = weights.map((w, i) => tf.tensor(w, this.model.weights[i]!.shape as number[]));
    this.model.setWeights(tensors);
    tf.dispose(tensors);
    return fn();
  }

  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
