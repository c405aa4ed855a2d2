import * as tf from '@tensorflow/tfjs';
import type { ImageSplit } from '@yolo-ts/core-data';
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
  return withFusedConvBn(model, () => evaluateBatches(model, split, imgsz, batch));
}

function evaluateBatches(model: tf.LayersModel, split: ImageSplit, imgsz: number, batch: number): ClassifyMetrics {
  const nc = (model.outputs[0]!.shape as number[])[1]!;
  const confusion = Array.from({ length: nc }, () => new Array<number>(nc).fill(0));
  const within5 = new Array<number>(nc).fill(0);
  const speed = { preprocess: 0, inference: 0, loss: 0, postprocess: 0 };
  let lossSum = 0;
  for (let start = 0; start < split.count; start += batch) {
    const indices = Array.from({ length: Math.min(batch, split.count - start) }, (_, k) => start + k);
    tf.tidy(() => {
      let t = performance.now();
      const lap = (phase: keyof typeof speed) => {
        const now = performance.now();
        speed[phase] += now - t;
        t = now;
      };
      const { x, y } = gatherBatch(split, indices, { imgsz });
      lap('preprocess');
      // predict() would otherwise cut the batch into slices of 32, running every layer once per slice.
      const logits = model.predict(x, { batchSize: indices.length }) as tf.Tensor2D;
      logits.dataSync();
      lap('inference');
      lossSum += classificationLoss(logits, y).dataSync()[0]! * indices.length;
      lap('loss');
      const { indices: topk } = tf.topk(logits, Math.min(5, nc));
      const top = topk.dataSync();
      const k = topk.shape[1]!;
      indices.forEach((i, n) => {
        const label = split.labels[i]!;
        confusion[top[n * k]!]![label]!++;
        for (let j = 0; j < k; j++) if (top[n * k + j] === label) within5[label]!++;
      });
      lap('postprocess');
    });
  }
  const images = confusion[0]!.map((_, t) => confusion.reduce((a, row) => a + row[t]!, 0));
  const right = confusion.reduce((a, row, p) => a + row[p]!, 0);
  const top1 = right / split.count;
  const top5 = within5.reduce((a, b) => a + b, 0) / split.count;
  const perImage = (v: number) => v / Math.max(split.count, 1);
  return {
    top1,
    top5,
    fitness: (top1 + top5) / 2,
    loss: lossSum / split.count,
    count: split.count,
    confusion,
    perClass: images.map((n, c) => ({ images: n, top1: n ? confusion[c]![c]! / n : NaN, top5: n ? within5[c]! / n : NaN })),
    speed: { preprocess: perImage(speed.preprocess), inference: perImage(speed.inference), loss: perImage(speed.loss), postprocess: perImage(speed.postprocess) },
  };
}
