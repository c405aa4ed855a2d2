import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DataFormatError, decodeImage, type DecodedImage } from '@yolo-ts/core-data';
import { selectBackend } from '@yolo-ts/engine';
import { ConfigError, resolveConfig } from '../config/config.js';
import { defaultProject } from '../config/user-settings.js';
import type { RunConfig } from '../config/defaults.js';
import { resizeAffine, warpInto } from '../data/augment.js';
import { datasetRegistry } from '../data/datasets.js';
import { createRunDir } from '../run/run-dir.js';
import type { RunContext } from '../train/train.js';
import { openClassifier } from './classifier.js';
import { Probs, Results } from './results.js';
import { resolveSource } from './sources.js';

/** `image` resized (bilinear, as validation resizes) into `dst` at `offset` as raw 0–255 floats. */
function intoBatch(image: DecodedImage, size: number, dst: Float32Array, offset: number): void {
  warpInto(image.data, image.width, image.height, image.channels, resizeAffine(image.width, image.height, size), size, dst, offset);
}

const ms = (t0: number) => performance.now() - t0;

/**
 * Predicts every image of `settings.source` with `settings.model`, batch by batch (`batch`), yielding one Results
 * per image as it goes: a folder of 70,000 images streams in constant memory. Prints Ultralytics' line per image
 * (verbose) and its Speed summary; `save` writes each image annotated with its top-5, `save_txt` its top-5 lines,
 * into runs/classify/predict (numbered). Unreadable files are named in a warning and skipped.
 */
export async function* predictStream(settings: Record<string, unknown>, context: RunContext = {}): AsyncGenerator<Results> {
  const log = context.log ?? console.log;
  const cfg: RunConfig = resolveConfig({ ...settings, mode: 'predict' }, {}, log);
  if (!cfg.source) throw new ConfigError("predict needs source=, e.g. 'source=digit.png', a folder, a glob, a .txt list or 'mnist160/test'");
  const images = await resolveSource(cfg.source, context.datasets ?? (await datasetRegistry(log, { data: cfg.source.split('/')[0] })));
  const backend = await selectBackend(cfg.device);
  if (cfg.verbose) log(backend.summary);
  const model = await openClassifier(cfg.model, context.models);
  try {
    const { imgsz, channels, names } = model;
    if (settings.imgsz !== undefined && Number(settings.imgsz) !== imgsz) log(`WARNING imgsz=${String(settings.imgsz)} is not the model's size: images are resized to the ${imgsz}×${imgsz} it was trained at`);
    const saveDir = cfg.save || cfg.save_txt ? await createRunDir(cfg.project ?? defaultProject(cfg.task), cfg.name ?? 'predict', cfg.exist_ok) : undefined;
    const total = images.paths.length;
    const totals = { preprocess: 0, inference: 0, postprocess: 0, images: 0, largest: 0 };
    let labels = 0;
    for (let start = 0; start < total; start += cfg.batch) {
      const t0 = performance.now();
      const chunk = images.paths.slice(start, start + cfg.batch);
      const decoded = await Promise.all(
        chunk.map(async (path) => {
          try {
            return await decodeImage(await readFile(path), path, channels === 3 ? 3 : 1);
          } catch (error) {
            if (!(error instanceof DataFormatError) && (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
            log(`WARNING ${(error as Error).message}; skipped`);
            return undefined;
          }
        }),
      );
      const kept = decoded.flatMap((d, k) => (d ? [{ image: d, k }] : []));
      if (kept.length === 0) continue;
      const pixels = new Float32Array(kept.length * imgsz * imgsz * channels);
      kept.forEach(({ image }, j) => intoBatch(image, imgsz, pixels, j * imgsz * imgsz * channels));
      const pre = ms(t0) / kept.length;
      const t1 = performance.now();
      const probs = await model.probabilities(pixels, kept.length);
      const inf = ms(t1) / kept.length;
      for (const [j, { image, k }] of kept.entries()) {
        const t2 = performance.now();
        const p = new Probs(probs.slice(j * names.length, (j + 1) * names.length));
        const r = new Results(images.paths[start + k]!, names, image, p, { preprocess: pre, inference: inf, postprocess: 0 });
        r.speed.postprocess = ms(t2);
        if (cfg.verbose) log(`image ${start + k + 1}/${total} ${r.path}: ${imgsz}x${imgsz} ${r.verbose()}${inf.toFixed(1)}ms`);
        const name = images.names[start + k]!;
        if (saveDir && cfg.save) await r.save(join(saveDir, `${name}.jpg`));
        if (saveDir && cfg.save_txt) {
          await r.saveTxt(join(saveDir, 'labels', `${name}.txt`));
          labels++;
        }
        totals.preprocess += pre;
        totals.inference += inf;
        totals.postprocess += r.speed.postprocess;
        totals.images++;
        yield r;
      }
      totals.largest = Math.max(totals.largest, kept.length);
    }
    const n = Math.max(totals.images, 1);
    log(`Speed: ${(totals.preprocess / n).toFixed(1)}ms preprocess, ${(totals.inference / n).toFixed(1)}ms inference, ${(totals.postprocess / n).toFixed(1)}ms postprocess per image at shape (${totals.largest}, ${channels}, ${imgsz}, ${imgsz})`);
    if (saveDir) {
      log(`Results saved to ${resolve(saveDir)}`);
      if (cfg.save_txt) log(`${labels} label${labels === 1 ? '' : 's'} saved to ${resolve(saveDir, 'labels')}`);
    }
  } finally {
    await model.dispose();
  }
}

/** All of `predictStream`'s results, as Ultralytics' `model.predict()` returns them. */
export async function predict(settings: Record<string, unknown>, context: RunContext = {}): Promise<Results[]> {
  const results: Results[] = [];
  for await (const r of predictStream(settings, context)) results.push(r);
  return results;
}
