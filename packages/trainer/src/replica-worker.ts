/**
 * One data-parallel replica, run in a worker thread by replicas.ts: a copy of the model on its own single-threaded
 * backend, training on its shard of every batch. After each step all replicas average gradients and BatchNorm
 * statistics through shared memory and apply the same optimizer step, so their weights stay bit-identical.
 * Each replica keeps the EMA of its share of the weights; replica 0 reports progress.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { copyInto, selectBackend, type BackendName } from '@yolo-ts/engine';
import '@yolo-ts/models'; // registers the custom layers a saved topology refers to
import { gatherBatch, seededRandom } from './batches.js';
import { ModelEma } from './ema.js';
import { augmentation, planOptimizer, stepsPerEpoch } from './epoch-runner.js';
import { classificationLoss } from './metrics.js';
import { awaitBarrier, partition, shardOf, slot, type ReplicaInit } from './replica-sync.js';
import { trainableVariables } from './train-step.js';

export type ToReplica = { type: 'epoch'; epoch: number; images: number } | { type: 'weights' };
export type FromReplica =
  | { type: 'ready' }
  | { type: 'step'; batch: number; images: number; lossSum: number }
  | { type: 'epoch'; lossSum: number; lr: number }
  | { type: 'weights'; indices: number[]; weights: Float32Array[] }
  | { type: 'error'; message: string };

const init = workerData as ReplicaInit;
const { shared, index, plan } = init;
const port = parentPort!;
const post = (message: FromReplica, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

await selectBackend(init.backend as BackendName);
const model = await tf.loadLayersModel(tf.io.fromMemory(init.artifacts as tf.io.ModelArtifacts));
const variables = trainableVariables(model);
const stats = model.nonTrainableWeights;
const opt = planOptimizer(plan);
const ema = new ModelEma(model, partition(model.weights.map((w) => w.read().size), shared.replicas)[index]!);
const random = seededRandom(plan.cfg.seed + 2 + index);
const augment = augmentation(plan.cfg);
const { trainable: P, stats: S, replicas } = shared;
const average = new Float32Array(P + S);

/** Writes this replica's gradients and statistics for the images [lo, hi) into `out`; returns the summed loss. */
function computeShard(lo: number, hi: number, out: Float32Array): number {
  const { x, y } = gatherBatch(shared.split, shared.order.subarray(lo, hi), { imgsz: plan.cfg.imgsz, augment, random });
  const { value, grads } = opt.optimizer.computeGradients(() => classificationLoss(model.apply(x, { training: true }) as tf.Tensor2D, y), variables);
  let offset = 0;
  for (const v of variables) {
    copyInto(grads[v.name]!, out, offset);
    offset += v.size;
  }
  for (const w of stats) {
    copyInto(w.read(), out, offset);
    offset += w.read().size;
  }
  const loss = value.dataSync()[0]! * (hi - lo);
  tf.dispose([x, y, value, ...Object.values(grads)]);
  return loss;
}

/** Averages the slots of this step: gradients weighted by shard size, statistics over the replicas that ran. */
function averageSlots(parity: number): { images: number; lossSum: number } {
  const slots = Array.from({ length: replicas }, (_, j) => slot(shared, parity, j)).filter((s) => s[P + S]! > 0);
  const images = slots.reduce((a, s) => a + s[P + S]!, 0);
  const lossSum = slots.reduce((a, s) => a + s[P + S + 1]!, 0);
  for (const [k, s] of slots.entries()) {
    const weight = s[P + S]! / images;
    if (k === 0) for (let i = 0; i < P; i++) average[i] = weight * s[i]!;
    else for (let i = 0; i < P; i++) average[i]! += weight * s[i]!;
    for (let i = P; i < P + S; i++) average[i] = (k === 0 ? 0 : average[i]!) + s[i]! / slots.length;
  }
  return { images, lossSum };
}

function applyAverage(): void {
  tf.tidy(() => {
    let offset = 0;
    const grads: tf.NamedTensorMap = {};
    for (const v of variables) {
      grads[v.name] = tf.tensor(average.subarray(offset, offset + v.size), v.shape);
      offset += v.size;
    }
    opt.optimizer.applyGradients(grads);
    for (const w of stats) {
      const n = w.read().size;
      w.write(tf.tensor(average.subarray(offset, offset + n), w.read().shape));
      offset += n;
    }
  });
}

/** Trains on the first `count` images of the shared order. */
function runEpoch(epoch: number, count: number): void {
  const { batch: size } = plan.cfg;
  const steps = Math.ceil(count / size);
  let lossSum = 0;
  let lr = 0;
  for (let step = 0; step < steps; step++) {
    const global = epoch * stepsPerEpoch(plan) + step;
    const start = step * size;
    const [lo, hi] = shardOf(start, Math.min(start + size, count), index, replicas);
    const mine = slot(shared, global % 2, index);
    mine[P + S] = hi - lo;
    mine[P + S + 1] = hi > lo ? computeShard(lo, hi, mine) : 0;
    awaitBarrier(shared.barrier, replicas);
    const totals = averageSlots(global % 2);
    lr = opt.learningRate(global);
    opt.optimizer.setLearningRate(lr);
    applyAverage();
    ema.update();
    lossSum += totals.lossSum;
    if (index === 0) post({ type: 'step', batch: step + 1, images: start + totals.images, lossSum });
  }
  if (index === 0) post({ type: 'epoch', lossSum, lr });
}

port.on('message', (message: ToReplica) => {
  try {
    if (message.type === 'epoch') runEpoch(message.epoch, message.images);
    else {
      const weights = ema.values();
      post({ type: 'weights', indices: ema.indices, weights }, weights.map((w) => w.buffer as ArrayBuffer));
    }
  } catch (error) {
    post({ type: 'error', message: (error as Error).stack ?? String(error) });
  }
});
post({ type: 'ready' });
