import type { ImageSplit } from '@yolo-ts/core-data';
import type { RunnerState, TrainPlan } from '../train/epoch-runner.js';

/**
 * What replicas share, all in SharedArrayBuffers: the training images, the epoch's order, a barrier, the
 * exchange buffer and the weights. Each step every replica writes its slot: its gradients (P floats, the mean
 * over its shard), its BatchNorm moving statistics after the step's forward (S floats), its shard size and summed
 * loss. A barrier; each replica updates its share of the variables into `weights`; a barrier; each reads the
 * others' share. Slots are double-buffered by step parity: a replica can only overwrite a slot two steps later,
 * after every replica has passed the barriers that follow its reading. `weights` is written after the first
 * barrier of a step, which no replica passes before all have read the previous step's values.
 */
export interface ReplicaShared {
  split: ImageSplit;
  order: Int32Array;
  barrier: Int32Array;
  exchange: Float32Array;
  /** The trainable variables after each step, each written by the replica that updates it. */
  weights: Float32Array;
  /**
   * [stop requested (by the main thread), stop decided (by replica 0, before a step's last barrier, so every
   * replica reads the same decision after it and all end the epoch at the same step)].
   */
  control: Int32Array;
  replicas: number;
  /** Trainable floats (P) and non-trainable floats (S) of the model. */
  trainable: number;
  stats: number;
}

export interface ReplicaInit {
  shared: ReplicaShared;
  index: number;
  plan: TrainPlan;
  backend: string;
  artifacts: { modelTopology: object; weightSpecs: object[]; weightData: ArrayBuffer };
  /** A resumed run's EMA, step count and optimizer state (the artifacts hold its live weights). */
  resume?: Pick<RunnerState, 'ema' | 'steps' | 'optimizer'>;
}

export function slotLength(shared: Pick<ReplicaShared, 'trainable' | 'stats'>): number {
  return shared.trainable + shared.stats + 2;
}

/** Replica `index`'s slot for steps of parity `parity`. */
export function slot(shared: ReplicaShared, parity: number, index: number): Float32Array {
  const n = slotLength(shared);
  const start = (parity * shared.replicas + index) * n;
  return shared.exchange.subarray(start, start + n);
}

/** Copies a split into shared memory so that every replica reads the same images without copies of its own. */
export function sharedSplit(split: ImageSplit): ImageSplit {
  const images = new Uint8Array(new SharedArrayBuffer(split.images.byteLength));
  images.set(split.images);
  const labels = new Int32Array(new SharedArrayBuffer(split.labels.byteLength));
  labels.set(split.labels);
  return { ...split, images, labels };
}

/** Blocks until all `parties` callers arrived (a generation-counting barrier: [arrived, generation]). */
export function awaitBarrier(barrier: Int32Array, parties: number): void {
  const generation = Atomics.load(barrier, 1);
  if (Atomics.add(barrier, 0, 1) === parties - 1) {
    Atomics.store(barrier, 0, 0);
    Atomics.add(barrier, 1, 1);
    Atomics.notify(barrier, 1);
    return;
  }
  while (Atomics.load(barrier, 1) === generation) Atomics.wait(barrier, 1, generation);
}

/** The images of step-batch [start, end) that replica `index` of `replicas` trains on. */
export function shardOf(start: number, end: number, index: number, replicas: number): [number, number] {
  const total = end - start;
  return [start + Math.floor((total * index) / replicas), start + Math.floor((total * (index + 1)) / replicas)];
}

/** Splits weights of the given sizes over `parts` owners, largest first to the least loaded: each owner's indices. */
export function partition(sizes: number[], parts: number): number[][] {
  const owners = Array.from({ length: parts }, () => ({ load: 0, indices: [] as number[] }));
  const order = sizes.map((_, i) => i).sort((a, b) => sizes[b]! - sizes[a]! || a - b);
  for (const i of order) {
    const owner = owners.reduce((best, o) => (o.load < best.load ? o : best));
    owner.indices.push(i);
    owner.load += sizes[i]!;
  }
  return owners.map((o) => o.indices.sort((a, b) => a - b));
}
