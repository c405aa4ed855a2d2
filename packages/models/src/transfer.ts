import * as tf from '@tensorflow/tfjs';

export interface TransferReport {
  /** Weights of the target given the source's values. */
  transferred: number;
  /** Weights of the target. */
  total: number;
  /** Target weights left as initialised: no source weight of that name, or another shape (e.g. a new head). */
  kept: string[];
}

/**
 * Copies into `target` every weight of `source` with the same name and shape (BatchNorm statistics included),
 * as Ultralytics' `intersect_dicts` does: a model for another number of classes or channels keeps its freshly
 * initialised head or stem and takes the rest. Names are the layers' own (`model.3.conv/kernel`), not the
 * process-unique ones tfjs gives variables of a second model built with the same layer names.
 */
export function transferWeights(target: tf.LayersModel, source: tf.LayersModel): TransferReport {
  const byName = new Map(source.weights.map((w) => [w.originalName, w]));
  const kept: string[] = [];
  let transferred = 0;
  for (const w of target.weights) {
    const from = byName.get(w.originalName);
    if (from && from.shape.length === w.shape.length && from.shape.every((d, i) => d === w.shape[i])) {
      // A copy of the values, not the source's buffer (clone() shares it): the target trains on its own.
      const copy = tf.tensor(from.read().dataSync(), w.shape as number[], from.dtype);
      w.write(copy);
      copy.dispose();
      transferred++;
    } else kept.push(w.originalName);
  }
  return { transferred, total: target.weights.length, kept };
}
