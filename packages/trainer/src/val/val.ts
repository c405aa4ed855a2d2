import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@yolo-ts/engine';
import { loadModel } from '@yolo-ts/models';
import { ConfigError, resolveConfig } from '../config/config.js';
import { cacheMode, datasetRegistry, resolveData } from '../data/datasets.js';
import { evaluate, type ClassifyMetrics } from './metrics.js';
import { savedModelDir } from '../train/model-source.js';
import type { RunContext } from '../train/train.js';

export interface ValResult {
  metrics: ClassifyMetrics;
  split: string;
  backend: string;
}

/** Validates a trained model: `yolo-ts classify val model=runs/classify/train/weights/best [data=...] [split=...]`. */
export async function val(settings: Record<string, unknown>, context: RunContext = {}): Promise<ValResult> {
  const log = context.log ?? console.log;
  const model = String(settings.model ?? '');
  const dir = savedModelDir(model);
  if (!dir) throw new ConfigError(`val needs a trained model folder, e.g. 'model=runs/classify/train/weights/best'; '${model || '(none)'}' is not one`);
  const loaded = await loadModel(dir);
  const source = await resolveData(String(settings.data ?? loaded.metadata.dataset ?? ''), context.datasets ?? (await datasetRegistry(log)));
  const cfg = resolveConfig({ ...settings, mode: 'val', data: source.name, imgsz: settings.imgsz ?? loaded.metadata.imgsz }, source.defaults);
  const backend = await selectBackend(cfg.device);
  log(backend.summary);
  const data = await source.load({ cache: cacheMode(cfg.cache), log });
  const splitName = cfg.split === 'val' && !data.val ? 'test' : cfg.split;
  const split = data[splitName];
  if (!split) throw new ConfigError(`dataset '${data.name}' has no '${cfg.split}' split`);
  const metrics = evaluate(loaded.model, split, cfg.imgsz, Math.max(cfg.batch * 2, 256));
  loaded.model.dispose();
  tf.disposeVariables();
  log(`${'classes'.padStart(22)}${'top1_acc'.padStart(11)}${'top5_acc'.padStart(11)}${'loss'.padStart(11)}`);
  log(`${'all'.padStart(22)}${metrics.top1.toFixed(4).padStart(11)}${metrics.top5.toFixed(4).padStart(11)}${metrics.loss.toFixed(4).padStart(11)}   (${metrics.count} ${splitName} images of ${data.name})`);
  return { metrics, split: splitName, backend: backend.name };
}
