import { join } from 'node:path';
import type { ImageSplit } from '@yolo-ts/core-data';
import type { RunConfig } from '../config/defaults.js';
import { gatherBatch, epochOrder, imageRandom } from '../data/batches.js';
import { augmentation } from '../train/epoch-runner.js';
import { writeFileAtomic } from '@yolo-ts/core-data';
import type { EpochResult } from '../run/results.js';
import { batchGrid } from './batch-grid.js';
import { confusionPlot } from './confusion-plot.js';
import { resultsPlot } from './results-plot.js';

/** train_batch0.jpg: the run's first batch (at most 16 images), regenerated exactly as the first step augments it. */
export async function plotTrainBatch(saveDir: string, train: ImageSplit, cfg: RunConfig, names: readonly string[]): Promise<string> {
  const order = epochOrder(train.count, cfg.seed, 0).subarray(0, Math.min(cfg.batch, 16, train.count));
  const { x, y } = gatherBatch(train, order, { imgsz: cfg.imgsz, augment: augmentation(cfg), random: (k) => imageRandom(cfg.seed, 0, k) });
  const pixels = Uint8Array.from(x.dataSync(), (v) => Math.round(v));
  const labels = y.dataSync();
  x.dispose();
  y.dispose();
  const side = cfg.imgsz * cfg.imgsz * train.channels;
  const images = Array.from(labels, (label, k) => ({ pixels: pixels.subarray(k * side, (k + 1) * side), label: names[label]! }));
  const path = join(saveDir, 'train_batch0.jpg');
  await writeFileAtomic(path, batchGrid(images, cfg.imgsz, train.channels === 3 ? 3 : 1));
  return path;
}

/** results.png from the run's rows. */
export async function plotResults(saveDir: string, rows: readonly EpochResult[]): Promise<string> {
  const path = join(saveDir, 'results.png');
  await writeFileAtomic(path, await resultsPlot(rows));
  return path;
}

/** confusion_matrix.png and confusion_matrix_normalized.png. */
export async function plotConfusion(saveDir: string, matrix: number[][], names: readonly string[]): Promise<string[]> {
  const paths = [join(saveDir, 'confusion_matrix.png'), join(saveDir, 'confusion_matrix_normalized.png')];
  await writeFileAtomic(paths[0]!, await confusionPlot(matrix, names, false));
  await writeFileAtomic(paths[1]!, await confusionPlot(matrix, names, true));
  return paths;
}
