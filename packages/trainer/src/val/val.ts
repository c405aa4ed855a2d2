import { resolve } from 'node:path';
import { selectBackend } from '@yolo-ts/engine';
import { ConfigError, resolveConfig } from '../config/config.js';
import { defaultProject } from '../config/user-settings.js';
import { cacheMode, datasetRegistry, resolveData } from '../data/datasets.js';
import { plotConfusion } from '../plots/run-plots.js';
import { openClassifier } from '../predict/classifier.js';
import { createRunDir } from '../run/run-dir.js';
import type { RunContext } from '../train/train.js';
import { g3, type ClassifyMetrics } from './metrics.js';

export interface ValResult {
  metrics: ClassifyMetrics;
  /** Class names, in the model's (and the metrics') order. */
  names: string[];
  split: string;
  backend: string;
  /** runs/classify/val (numbered) when plots were written. */
  saveDir?: string;
}


/**
 * Validates a trained model: `yolo-ts classify val model=runs/classify/train/weights/best [data=...] [split=...]`.
 * Prints Ultralytics' table (the `all` line, then one line per class) and Speed line, writes both confusion
 * matrices to runs/classify/val (plots=True), and returns the metrics. The dataset defaults to the one the model
 * was trained on; one whose classes, channels or image size the model does not fit is refused with the fix. Only
 * the model's own tensors are freed.
 */
export async function val(settings: Record<string, unknown>, context: RunContext = {}): Promise<ValResult> {
  const log = context.log ?? console.log;
  const model = await openClassifier(String(settings.model ?? ''), context.models);
  const { dir } = model;
  try {
    const dataName = String(settings.data ?? model.dataset ?? '');
    const source = await resolveData(dataName, context.datasets ?? (await datasetRegistry(log, { data: dataName })));
    const cfg = resolveConfig({ ...settings, mode: 'val', data: source.name, imgsz: settings.imgsz ?? model.imgsz }, source.defaults, log);
    if (cfg.imgsz !== model.imgsz) throw new ConfigError(`model ${dir} takes ${model.imgsz}×${model.imgsz} images, not imgsz=${cfg.imgsz}: leave imgsz out, or train a model at imgsz=${cfg.imgsz}`, { code: MISMATCH });
    const backend = await selectBackend(cfg.device);
    log(backend.summary);
    const data = await source.load({ cache: cacheMode(cfg.cache), log });
    if (data.train.channels !== model.channels) throw new ConfigError(`model ${dir} takes ${model.channels}-channel images but dataset '${data.name}' has ${data.train.channels}: validate on a dataset like the one it was trained on`, { code: MISMATCH });
    if (data.classes.join('\n') !== model.names.join('\n')) {
      const differs = data.classes.length !== model.names.length ? `${model.names.length} classes, the dataset ${data.classes.length}` : `classes ${model.names.slice(0, 5).join(', ')}…, the dataset ${data.classes.slice(0, 5).join(', ')}…`;
      throw new ConfigError(`model ${dir} does not fit dataset '${data.name}': the model has ${differs}. Give data= the dataset it was trained on${model.dataset ? ` (${model.dataset})` : ''}, or train on this one (model=${dir} data=${data.name} transfers the weights)`, { code: MISMATCH });
    }
    let splitName: string = cfg.split;
    if (cfg.split === 'val' && !data.val) {
      log(`WARNING Dataset 'split=val' not found, using 'split=test' instead.`);
      splitName = 'test';
    }
    const split = data[splitName as 'val' | 'test' | 'train'];
    if (!split) throw new ConfigError(`dataset '${data.name}' has no '${cfg.split}' split`);
    const metrics = await model.evaluate(split, cfg.imgsz, Math.max(cfg.batch * 2, 256));
    const width = Math.max(22, ...data.classes.map((c) => c.length + 2));
    log(`${'classes'.padStart(width)}${'top1_acc'.padStart(11)}${'top5_acc'.padStart(11)}`);
    log(`${'all'.padStart(width)}${g3(metrics.top1).padStart(11)}${g3(metrics.top5).padStart(11)}`);
    if (cfg.verbose) metrics.perClass.forEach((c, i) => log(`${data.classes[i]!.padStart(width)}${g3(c.top1).padStart(11)}${g3(c.top5).padStart(11)}`));
    const s = metrics.speed;
    log(`Speed: ${s.preprocess.toFixed(1)}ms preprocess, ${s.inference.toFixed(1)}ms inference, ${s.loss.toFixed(1)}ms loss, ${s.postprocess.toFixed(1)}ms postprocess per image`);
    let saveDir: string | undefined;
    if (cfg.plots) {
      saveDir = await createRunDir(cfg.project ?? defaultProject(cfg.task), cfg.name ?? 'val', cfg.exist_ok);
      await plotConfusion(saveDir, metrics.confusion, data.classes);
      log(`Results saved to ${resolve(saveDir)}`);
    }
    return { metrics, names: data.classes, split: splitName, backend: backend.name, saveDir };
  } finally {
    await model.dispose();
  }
}

/** The code of a model that does not fit the dataset or image size asked for. */
const MISMATCH = 'E_MODEL_MISMATCH';
