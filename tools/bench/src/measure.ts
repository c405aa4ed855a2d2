import * as tf from '@tensorflow/tfjs';
import type { ImageSplit } from '@yolo-ts/core-data';
import { Adam, CompiledTrainStep, compileTrainStep, nativeKernels, PlanUnsupported, type NativeKernels } from '@yolo-ts/engine';
import { defaultModelRegistry, summarize } from '@yolo-ts/models';
import { defaultConfig, evaluate, gatherBatch, seededRandom, shuffledIndices } from '@yolo-ts/trainer';
import { createRunner, HALVES_MIN_BATCH, trainStep, trainableVariables } from '@yolo-ts/trainer/internals';

/** GFLOP/s of an n×n×n float32 matmul on the active backend, median of `reps`. */
export function matmulGflops(n = 1024, reps = 10): number {
  const a = tf.randomNormal([n, n], 0, 1, 'float32', 1);
  const b = tf.randomNormal([n, n], 0, 1, 'float32', 2);
  const times: number[] = [];
  for (let i = 0; i < reps + 2; i++) {
    const t0 = performance.now();
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
    if (i >= 2) times.push(performance.now() - t0);
  }
  tf.dispose([a, b]);
  return (2 * n ** 3) / median(times) / 1e6;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export interface TrainMeasurement {
  imgPerSec: number;
  steps: number;
  /** Forward FLOPs per image (2 × multiply-adds). */
  forwardFlops: number;
  tensorsLeaked: number;
}

/** The benchmark's nets: MNIST geometry, seed 0, as the anchor builds them. */
function buildNet(model: string): tf.LayersModel {
  return defaultModelRegistry().build(model, { imgsz: 28, channels: 1, nc: 10, seed: 0 });
}

/** How a step runs in this thread: engine's compiled step, or tfjs ops (the trainer's fallback). */
export type StepMode = 'compiled' | 'tfjs';

/**
 * A training loop as the anchor defines a step: gather a uint8 batch + convert to float + forward + loss +
 * backward + Adam update + reading the loss. `next` gives each step's image indices.
 */
function trainingLoop(model: string, batch: number, data: ImageSplit, next: () => ArrayLike<number>, mode: StepMode = 'tfjs') {
  const net = buildNet(model);
  const optimizer = new Adam(1e-3);
  const variables = trainableVariables(net);
  // As the trainer compiles it: half batches on threads from HALVES_MIN_BATCH.
  const compiled = mode === 'compiled' ? compileTrainStep(net, { maxBatch: batch, halves: batch >= HALVES_MIN_BATCH }) : undefined;
  if (compiled instanceof PlanUnsupported) throw compiled;
  return {
    net,
    step() {
      const { x, y } = gatherBatch(data, next(), { imgsz: 28 });
      if (compiled) {
        compiled.run(x, y);
        optimizer.applyInPlace(compiled.params);
      } else trainStep(net, optimizer, variables, x, y);
      tf.dispose([x, y]);
    },
    dispose() {
      compiled?.dispose();
      optimizer.dispose();
      net.dispose();
    },
  };
}

/** Training throughput on shuffled batches: 5 warm-up steps, then at least `minSteps` steps and `minSeconds`. */
export function measureTraining(model: string, batch: number, data: ImageSplit, minSteps: number, minSeconds: number, mode: StepMode = 'tfjs'): TrainMeasurement {
  const order = shuffledIndices(data.count, seededRandom(0));
  let cursor = 0;
  const loop = trainingLoop(model, batch, data, () => {
    if (cursor + batch > order.length) cursor = 0;
    cursor += batch;
    return order.subarray(cursor - batch, cursor);
  }, mode);
  // Exact conv/dense multiply-adds ×2 (summary's gflops follows Ultralytics' thop-at-32px estimate instead).
  const forwardFlops = 2 * summarize(loop.net).macs;
  for (let i = 0; i < 5; i++) loop.step();
  const before = tf.memory().numTensors;
  let steps = 0;
  const t0 = performance.now();
  while (steps < minSteps || performance.now() - t0 < minSeconds * 1000) {
    loop.step();
    steps++;
  }
  const seconds = (performance.now() - t0) / 1000;
  const tensorsLeaked = tf.memory().numTensors - before;
  loop.dispose();
  return { imgPerSec: (steps * batch) / seconds, steps, forwardFlops, tensorsLeaked };
}

/**
 * Training throughput of the trainer's data-parallel replicas (`replicas` worker threads, one wasm thread each)
 * on the same steps as {@link measureTraining}: Adam lr 1e-3, no augmentation; the trainer's EMA runs too.
 */
export async function measureReplicaTraining(model: string, batch: number, data: ImageSplit, replicas: number, minSteps: number, minSeconds: number): Promise<TrainMeasurement> {
  const net = buildNet(model);
  const forwardFlops = 2 * summarize(net).macs;
  const cfg = { ...defaultConfig(), batch, replicas, optimizer: 'Adam' as const, lr0: 1e-3, momentum: 0.9, warmup_epochs: 0, fliplr: 0, degrees: 0, translate: 0, scale: 0 };
  const runner = await createRunner(net, data, { cfg, nc: 10, images: data.count }, 'wasm');
  const order = shuffledIndices(data.count, seededRandom(0));
  const chunk = 10;
  let cursor = 0;
  const next = async (steps: number) => {
    if (cursor + steps * batch > order.length) cursor = 0;
    await runner.runEpoch(0, order.subarray(cursor, cursor + steps * batch), () => {});
    cursor += steps * batch;
  };
  await next(5);
  let steps = 0;
  const t0 = performance.now();
  while (steps < minSteps || performance.now() - t0 < minSeconds * 1000) {
    await next(chunk);
    steps += chunk;
  }
  const seconds = (performance.now() - t0) / 1000;
  await runner.dispose();
  net.dispose();
  return { imgPerSec: (steps * batch) / seconds, steps, forwardFlops, tensorsLeaked: 0 };
}

/** Inference throughput of the trainer's own validation over a split at batch 1000 (as the anchor's eval). */
export function measureEval(model: string, data: ImageSplit, batch = 1000): number {
  const net = buildNet(model);
  evaluate(net, data, 28, batch);
  const t0 = performance.now();
  evaluate(net, data, 28, batch);
  const seconds = (performance.now() - t0) / 1000;
  net.dispose();
  return data.count / seconds;
}

/**
 * Milliseconds per kernel name of the tfjs step over `steps` training steps (tf.profile), largest first, and the
 * wall time of an unprofiled step.
 */
export async function profileTraining(model: string, batch: number, data: ImageSplit, steps = 3): Promise<{ kernels: [string, number][]; calls: number; wall: number }> {
  // tf.profile sees tfjs kernels only: this profiles the tfjs step (the compiled one runs none).
  const idx = Int32Array.from({ length: batch }, (_, i) => i);
  const loop = trainingLoop(model, batch, data, () => idx);
  for (let i = 0; i < 3; i++) loop.step();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) loop.step();
  const wall = (performance.now() - t0) / steps;
  const totals = new Map<string, number>();
  let calls = 0;
  for (let i = 0; i < steps; i++) {
    const info = await tf.profile(() => loop.step());
    calls += info.kernels.length / steps;
    for (const k of info.kernels) totals.set(k.name, (totals.get(k.name) ?? 0) + Number(k.kernelTimeMs) / steps);
  }
  loop.dispose();
  return { kernels: [...totals.entries()].sort((a, b) => b[1] - a[1]), calls, wall };
}

/** Where a compiled step's time goes: per native kernel, and what is left outside them (JS, gather). */
export interface CompiledProfile {
  /** Milliseconds per step per kernel name, largest first. */
  kernels: [string, number][];
  /** Native calls per step. */
  calls: number;
  /** Milliseconds per step of the plan's run (forward, loss, backward), Adam's update and the batch's gather. */
  run: number;
  adam: number;
  gather: number;
}

/**
 * The compiled step of `model` at `batch` on this thread alone (one plan, no pool: the work a step has to do,
 * before any split), each native call timed; over `steps` steps after 3 warm-up steps.
 */
export function profileCompiledTraining(model: string, batch: number, data: ImageSplit, steps = 5): CompiledProfile {
  const net = buildNet(model);
  const backend = tf.backend() as unknown as Parameters<typeof nativeKernels>[0];
  const native = nativeKernels(backend);
  const totals = new Map<string, number>();
  let calls = 0;
  const timed = Object.fromEntries(
    Object.entries(native).map(([name, fn]) => [
      name,
      typeof fn !== 'function'
        ? fn
        : (...args: number[]) => {
            const t0 = performance.now();
            (fn as (...a: number[]) => void)(...args);
            totals.set(name, (totals.get(name) ?? 0) + performance.now() - t0);
            calls++;
          },
    ]),
  ) as unknown as NativeKernels;
  const plan = new CompiledTrainStep(backend, net, { maxBatch: batch, kernels: timed });
  const optimizer = new Adam(1e-3);
  const idx = Int32Array.from({ length: batch }, (_, i) => i);
  const time = { run: 0, adam: 0, gather: 0 };
  for (let i = 0; i < 3 + steps; i++) {
    if (i === 3) {
      totals.clear();
      calls = 0;
      time.run = time.adam = time.gather = 0;
    }
    let t0 = performance.now();
    const { x, y } = gatherBatch(data, idx, { imgsz: 28 });
    time.gather += performance.now() - t0;
    t0 = performance.now();
    plan.run(x, y);
    time.run += performance.now() - t0;
    t0 = performance.now();
    optimizer.applyInPlace(plan.params);
    time.adam += performance.now() - t0;
    tf.dispose([x, y]);
  }
  plan.dispose();
  optimizer.dispose();
  net.dispose();
  return {
    kernels: [...totals.entries()].map(([k, ms]) => [k, ms / steps] as [string, number]).sort((a, b) => b[1] - a[1]),
    calls: calls / steps,
    run: time.run / steps,
    adam: time.adam / steps,
    gather: time.gather / steps,
  };
}
