import * as tf from '@tensorflow/tfjs';
import type { ImageSplit } from '@yolo-ts/core-data';
import { withFusedConvBn } from '@yolo-ts/models';
import { gatherBatch } from '../data/batches.js';

export interface ClassifyMetrics {
  top1: number;
  top5: number;
  loss: number;
  count: number;
  /** nc×nc image counts, Ultralytics' orientation: `confusion[predicted][true]` by top-1. */
  confusion: number[][];
}

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
  let top1 = 0;
  let top5 = 0;
  let lossSum = 0;
  let confusion: number[][] = [];
  for (let start = 0; start < split.count; start += batch) {
    const indices = Array.from({ length: Math.min(batch, split.count - start) }, (_, k) => start + k);
    const [c1, c5, l, predicted] = tf.tidy(() => {
      const { x, y } = gatherBatch(split, indices, { imgsz });
      // predict() would otherwise cut the batch into slices of 32, running every layer once per slice.
      const logits = model.predict(x, { batchSize: indices.length }) as tf.Tensor2D;
      const k = Math.min(5, logits.shape[1]);
      const { indices: topk } = tf.topk(logits, k);
      const hits = tf.equal(topk, y.expandDims(1));
      const hit1 = hits.slice([0, 0], [-1, 1]).sum();
      const hit5 = hits.any(1).sum();
      const loss = tf.mul(classificationLoss(logits, y), indices.length);
      if (confusion.length === 0) confusion = Array.from({ length: logits.shape[1] }, () => new Array<number>(logits.shape[1]).fill(0));
      return [...[hit1, hit5, loss].map((t) => t.dataSync()[0]!), topk.slice([0, 0], [-1, 1]).dataSync()] as [number, number, number, Int32Array];
    });
    indices.forEach((i, k) => confusion[predicted[k]!]![split.labels[i]!]!++);
    top1 += c1;
    top5 += c5;
    lossSum += l;
  }
  return { top1: top1 / split.count, top5: top5 / split.count, loss: lossSum / split.count, count: split.count, confusion };
}
