import type * as tf from '@tensorflow/tfjs';
import type { ImageSplit } from '@yolo-ts/core-data';
import { recomputeBatchNorm } from '@yolo-ts/models';
import { gatherBatch, seededRandom, shuffledIndices } from '../data/batches.js';

/** Training images (un-augmented, as validation sees them) that BatchNorm statistics are recomputed over. */
export const BATCH_NORM_IMAGES = 2048;
const BATCH = 256;

/**
 * Before each validation and save, the BatchNorm moving statistics of the weights being validated (the EMA) are
 * recomputed over up to 2,048 training images in a fixed random order (class folders are sorted by class), in 8
 * batches of 256 at most: the statistics that inference uses then belong to these weights (see recomputeBatchNorm).
 * Costs a forward pass over those images: ~3% of an MNIST epoch.
 */
export function refreshBatchNormStatistics(model: tf.LayersModel, train: ImageSplit, imgsz: number, seed: number): void {
  const order = shuffledIndices(train.count, seededRandom(seed + 7)).subarray(0, Math.min(train.count, BATCH_NORM_IMAGES));
  const batch = Math.ceil(order.length / Math.ceil(order.length / BATCH));
  function* batches() {
    for (let start = 0; start < order.length; start += batch) {
      const { x, y } = gatherBatch(train, order.subarray(start, start + batch), { imgsz });
      y.dispose();
      try {
        yield x;
      } finally {
        x.dispose();
      }
    }
  }
  recomputeBatchNorm(model, batches());
}
