import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { DatasetRegistry } from '@yolo-ts/core-data';
import { selectBackend } from '@yolo-ts/engine';
import { defaultModelRegistry, formatSummary, saveModel, summarize, type ModelMetadata, type ModelRegistry } from '@yolo-ts/models';
import { stringify } from 'yaml';
import { seededRandom, shuffledIndices } from '../data/batches.js';
import { refreshBatchNormStatistics } from './batch-norm-statistics.js';
import { ConfigError, resolveConfig } from '../config/config.js';
import { cacheMode, datasetRegistry, resolveData } from '../data/datasets.js';
import { SETTINGS, type RunConfig } from '../config/defaults.js';
import { writeFileAtomic } from '../run/files.js';
import { evaluate } from '../val/metrics.js';
import { obtainModel } from './model-source.js';
import { createRunner } from '../replicas/replicas.js';
import { EpochProgress } from './progress.js';
import { writeResultsCsv, type EpochResult } from '../run/results.js';
import { createRunDir } from '../run/run-dir.js';

/** What train() and val() can be given besides the settings: registries and where lines go. */
export interface RunContext {
  datasets?: DatasetRegistry;
  models?: ModelRegistry;
  /** Receives every line meant for the user; default console.log. */
  log?: (line: string) => void;
}

export interface TrainResult {
  config: RunConfig;
  saveDir: string;
  backend: string;
  results: EpochResult[];
  bestEpoch: number;
  weights: { last: string; best: string };
}

/** Ultralytics' classify fitness: the mean of top-1 and top-5 accuracy. */
const fitness = (r: EpochResult) => (r['metrics/accuracy_top1'] + r['metrics/accuracy_top5']) / 2;

/** Trains a classifier: `yolo-ts classify train key=value ...` and `new YOLO(model).train({...})` both land here. */
export async function train(settings: Record<string, unknown>, context: RunContext = {}): Promise<TrainResult> {
  const log = context.log ?? console.log;
  const source = await resolveData(String(settings.data ?? SETTINGS.data.default), context.datasets ?? (await datasetRegistry(log)));
  const cfg = resolveConfig({ ...settings, mode: 'train' }, source.defaults);
  const backend = await selectBackend(cfg.device);
  log(backend.summary);

  const data = await source.load({ cache: cacheMode(cfg.cache), log });
  const valSplit = data.val ?? data.test;
  if (!valSplit) throw new ConfigError(`dataset '${data.name}' has no val or test split to validate on`);
  const nc = data.classes.length;
  const { model, architecture, metadata: from } = await obtainModel(
    { model: cfg.model, pretrained: cfg.pretrained, imgsz: cfg.imgsz, channels: data.train.channels, nc, seed: cfg.seed },
    context.models ?? defaultModelRegistry(),
    log,
  );
  const outWidth = (model.outputs[0]!.shape as number[])[1];
  if (outWidth !== nc) throw new ConfigError(`model '${cfg.model}' outputs ${outWidth} classes but dataset '${data.name}' has ${nc}`);
  if (cfg.verbose) log(formatSummary(summarize(model)));

  const saveDir = await createRunDir(cfg.project ?? join('runs', cfg.task), cfg.name ?? 'train', cfg.exist_ok);
  await writeFileAtomic(join(saveDir, 'args.yaml'), stringify({ ...cfg, save_dir: saveDir }));
  const weights = { last: join(saveDir, 'weights', 'last'), best: join(saveDir, 'weights', 'best') };
  const metadata: ModelMetadata = {
    ...from,
    architecture,
    names: data.classes,
    imgsz: cfg.imgsz,
    channels: data.train.channels,
    input: 'uint8-range NHWC',
    output: 'logits',
    dataset: data.name,
  };

  const plan = { cfg, nc, images: data.train.count };
  const runner = await createRunner(model, data.train, plan, backend.name).catch((error: unknown) => {
    model.dispose();
    throw error;
  });
  const random = seededRandom(cfg.seed + 1);
  const results: EpochResult[] = [];
  let bestEpoch = 0;
  const started = Date.now();
  log(`optimizer: ${runner.description}`);
  log(`Training on ${data.train.count} ${data.name} images, validating on ${valSplit.count}, at imgsz=${cfg.imgsz}, batch=${cfg.batch}`);
  log(`Logging results to ${resolve(saveDir)}`);
  log(`${'Epoch'.padStart(11)}${'loss'.padStart(11)}${'Instances'.padStart(11)}${'Size'.padStart(11)}${'top1_acc'.padStart(11)}${'top5_acc'.padStart(11)}${'val_loss'.padStart(11)}`);

  try {
    for (let epoch = 0; epoch < cfg.epochs; epoch++) {
      const order = shuffledIndices(data.train.count, random);
      const progress = new EpochProgress(`${epoch + 1}/${cfg.epochs}`, Math.ceil(order.length / cfg.batch));
      const { lossSum, lr } = await runner.runEpoch(epoch, order, (batch, images, sum) => progress.update(batch, images, sum / images));
      progress.done();
      const trainLoss = lossSum / order.length;
      const last = epoch === cfg.epochs - 1;
      // Validated and saved: the EMA weights, fetched once per epoch, with BatchNorm statistics of their own.
      const m = await runner.withAverage(async () => {
        refreshBatchNormStatistics(model, data.train, cfg.imgsz, cfg.seed);
        const metrics = cfg.val || last ? evaluate(model, valSplit, cfg.imgsz) : { top1: NaN, top5: NaN, loss: NaN };
        const row: EpochResult = {
          epoch: epoch + 1,
          time: (Date.now() - started) / 1000,
          'train/loss': trainLoss,
          'metrics/accuracy_top1': metrics.top1,
          'metrics/accuracy_top5': metrics.top5,
          'val/loss': metrics.loss,
          'lr/pg0': lr,
        };
        results.push(row);
        await writeResultsCsv(join(saveDir, 'results.csv'), results);
        const best = !Number.isNaN(fitness(row)) && (bestEpoch === 0 || fitness(row) > fitness(results[bestEpoch - 1]!));
        if (best) bestEpoch = epoch + 1;
        await saveModel(model, weights.last, { ...metadata, epoch: epoch + 1 });
        if (best) await saveModel(model, weights.best, { ...metadata, epoch: epoch + 1 });
        return metrics;
      });
      const f = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(4)).padStart(11);
      log(`${`${epoch + 1}/${cfg.epochs}`.padStart(11)}${f(trainLoss)}${String(data.train.count).padStart(11)}${String(cfg.imgsz).padStart(11)}${f(m.top1)}${f(m.top5)}${f(m.loss)}`);
    }
  } finally {
    await runner.dispose();
    model.dispose();
  }
  log(`${cfg.epochs} epochs completed in ${((Date.now() - started) / 3.6e6).toFixed(3)} hours.`);
  log(`Best epoch ${bestEpoch}: top1 ${results[bestEpoch - 1]!['metrics/accuracy_top1'].toFixed(4)}. Results saved to ${resolve(saveDir)}`);
  return { config: cfg, saveDir, backend: backend.name, results, bestEpoch, weights };
}
