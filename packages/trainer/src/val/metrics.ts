import * as tf from '@tensorflow/tfjs';
import type { ImageSplit } from '@yolo-ts/core-data';
import { compilePredictor, PlanUnsupported } from '@yolo-ts/engine';
import { withFusedConvBn } from '@yolo-ts/models';
import { gatherBatch } from '../data/batches.js';

export interface ClassifyMetrics {
  top1: number;
  top5: number;
  /** Ultralytics' fitness: (top1 + top5) / 2. */
  fitness: number;
  loss: number;
  count: number;
  /** nc×nc image counts, Ultralytics' orientation: `confusion[predicted][true]` by top-1. */
  confusion: number[][];
  /** Per true class: its images and the fraction of them right at top-1 and within the top-5. */
  perClass: { images: number; top1: number; top5: number }[];
  /** Milliseconds per image of each phase. */
  speed: { preprocess: number; inference: number; loss: number; postprocess: number };
}

/** A validation figure as Ultralytics prints it, with %.3g (1.0 as `1`). */
export const g3 = (v: number) => (Number.isNaN(v) ? '-' : String(Number(v.toPrecision(3))));

/** Mean softmax cross-entropy of logits against integer labels, with optional label smoothing. */
export function classificationLoss(logits: tf.Tensor2D, labels: tf.Tensor1D, labelSmoothing = 0): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, logits.shape[1]), logits, undefined, labelSmoothing) as tf.Scalar;
}

/**
 * Top-1 / top-5 accuracy (fractions, as Ultralytics reports them) and mean loss of `model` on a split,
 * in inference mode (BatchNorm uses its moving statistics, folded into the convolutions before it as Ultralytics
 * fuses a model for validation). With fewer than 5 classes top-5 is 1.
 */
export function evaluate(model: tf.LayersModel, split: ImageSplit, imgsz: number, batch = 256): ClassifyMetrics {
  // On wasm engine's compiled forward (half batches on threads) where it knows the layers; else tfjs ops.
  const compiled = compilePredictor(model, Math.min(batch, split.count));
  if (compiled instanceof PlanUnsupported) return withFusedConvBn(model, () => evaluateBatches(model, split, imgsz, batch, (x) => (model.predict(x, { batchSize: x.shape[0] }) as tf.Tensor).dataSync() as Float32Array));
  try {
    return evaluateBatches(model, split, imgsz, batch, (x) => compiled.predict(x));
  } finally {
    compiled.dispose();
  }
}

/**
 * Mean softmax cross-entropy of `logits` [n, nc] against `labels`, and each row's classes ranked best first
 * (top `k`; ties to the lower class).
 */
function lossAndRanks(logits: Float32Array, labels: ArrayLike<number>, nc: number, k: number): { lossSum: number; ranked: Int32Array } {
  const n = logits.length / nc;
  const ranked = new Int32Array(n * k);
  const order = Array.from({ length: nc }, (_, j) => j);
  let lossSum = 0;
  for (let r = 0; r < n; r++) {
    const z = logits.subarray(r * nc, (r + 1) * nc);
    let max = -Infinity;
    for (let j = 0; j < nc; j++) max = Math.max(max, z[j]!);
    let sum = 0;
    for (let j = 0; j < nc; j++) sum += Math.exp(z[j]! - max);
    lossSum += max + Math.log(sum) - z[labels[r]!]!;
    order.sort((a, b) => z[b]! - z[a]! || a - b);
    for (let j = 0; j < k; j++) ranked[r * k + j] = order[j]!;
  }
  return { lossSum, ranked };
}

type Phase = keyof ClassifyMetrics['speed'];

/** Counts of one evaluation (confusion, top-5 hits, loss, time per phase), turned into ClassifyMetrics at the end. */
class Tally {
  readonly confusion: number[][];
  private readonly within5: number[];
  private readonly speed = { preprocess: 0, inference: 0, loss: 0, postprocess: 0 };
  private lossSum = 0;
  private t = performance.now();

  constructor(private readonly nc: number) {
    this.confusion = Array.from({ length: nc }, () => new Array<number>(nc).fill(0));
    this.within5 = new Array<number>(nc).fill(0);
  }

  /** Starts timing afresh (between batches nothing is counted). */
  restart(): void {
    this.t = performance.now();
  }

  /** Time since the last lap goes to `phase`. */
  lap(phase: Phase): void {
    const now = performance.now();
    this.speed[phase] += now - this.t;
    this.t = now;
  }

  addLoss(sum: number): void {
    this.lossSum += sum;
  }

  /** One image: its true label and its classes ranked best first (at least the top 5). */
  add(label: number, ranked: ArrayLike<number>): void {
    this.confusion[ranked[0]!]![label]!++;
    for (let j = 0; j < Math.min(5, this.nc); j++) if (ranked[j] === label) this.within5[label]!++;
  }

  metrics(count: number): ClassifyMetrics {
    const { confusion, within5, speed } = this;
    const images = confusion[0]!.map((_, t) => confusion.reduce((a, row) => a + row[t]!, 0));
    const right = confusion.reduce((a, row, p) => a + row[p]!, 0);
    const top1 = right / count;
    const top5 = within5.reduce((a, b) => a + b, 0) / count;
    const perImage = (v: number) => v / Math.max(count, 1);
    return {
      top1,
      top5,
      fitness: (top1 + top5) / 2,
      loss: this.lossSum / count,
      count,
      confusion,
      perClass: images.map((n, c) => ({ images: n, top1: n ? confusion[c]![c]! / n : NaN, top5: n ? within5[c]! / n : NaN })),
      speed: { preprocess: perImage(speed.preprocess), inference: perImage(speed.inference), loss: perImage(speed.loss), postprocess: perImage(speed.postprocess) },
    };
  }
}

const batchIndices = (start: number, batch: number, count: number) => Array.from({ length: Math.min(batch, count - start) }, (_, k) => start + k);

/** Evaluates `split` in batches, `infer` giving a batch's logits (predict with the whole batch: tfjs' predict would otherwise cut it into slices of 32). */
function evaluateBatches(model: tf.LayersModel, split: ImageSplit, imgsz: number, batch: number, infer: (x: tf.Tensor4D) => Float32Array): ClassifyMetrics {
  const nc = (model.outputs[0]!.shape as number[])[1]!;
  const tally = new Tally(nc);
  const k = Math.min(5, nc);
  for (let start = 0; start < split.count; start += batch) {
    const indices = batchIndices(start, batch, split.count);
    tf.tidy(() => {
      tally.restart();
      const { x } = gatherBatch(split, indices, { imgsz });
      tally.lap('preprocess');
      const logits = infer(x);
      tally.lap('inference');
      const labels = indices.map((i) => split.labels[i]!);
      const { lossSum, ranked } = lossAndRanks(logits, labels, nc, k);
      tally.addLoss(lossSum);
      tally.lap('loss');
      labels.forEach((label, n) => tally.add(label, ranked.subarray(n * k, (n + 1) * k)));
      tally.lap('postprocess');
    });
  }
  return tally.metrics(split.count);
}

/**
 * `evaluate` for a model known only by its probabilities (an export run by its own runtime): the same figures, the
 * loss as the mean −log p of the true class (equal to the cross-entropy of the logits).
 */
export async function evaluateProbabilities(probabilities: (pixels: Float32Array, n: number) => Promise<Float32Array>, nc: number, split: ImageSplit, imgsz: number, batch = 256): Promise<ClassifyMetrics> {
  const tally = new Tally(nc);
  for (let start = 0; start < split.count; start += batch) {
    const indices = batchIndices(start, batch, split.count);
    tally.restart();
    const { x, y } = gatherBatch(split, indices, { imgsz });
    const pixels = x.dataSync() as Float32Array;
    tf.dispose([x, y]);
    tally.lap('preprocess');
    const p = await probabilities(pixels, indices.length);
    tally.lap('inference');
    let loss = 0;
    indices.forEach((i, n) => (loss -= Math.log(Math.max(p[n * nc + split.labels[i]!]!, 1e-12))));
    tally.addLoss(loss);
    tally.lap('loss');
    indices.forEach((i, n) => {
      const row = p.subarray(n * nc, (n + 1) * nc);
      tally.add(split.labels[i]!, [...row.keys()].sort((a, b) => row[b]! - row[a]! || a - b).slice(0, 5));
    });
    tally.lap('postprocess');
  }
  return tally.metrics(split.count);
}
