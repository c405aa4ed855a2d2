import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { loadModel, transferWeights, type ModelMetadata, type ModelRegistry } from '@yolo-ts/models';
import { pretrainedWeights } from '@yolo-ts/weights';
import { ConfigError } from '../config/config.js';
import { userSetting } from '../config/user-settings.js';

/**
 * The saved model folder that `model=` (or `pretrained=`) names, or undefined when it names none: the folder,
 * its `model.json`, or Ultralytics' habit `weights/best.pt` for the folder `weights/best/`.
 */
export function savedModelDir(model: string): string | undefined {
  if (model.endsWith('model.json')) return existsSync(model) ? model.slice(0, -'model.json'.length) || '.' : undefined;
  for (const dir of [model, model.replace(/\.pt$/, '')]) if (existsSync(join(dir, 'model.json'))) return dir;
  return undefined;
}

/** `pretrained=` as Ultralytics reads it: True, False, or the path of weights to start from. */
export function pretrainedSetting(value: string): boolean | string {
  if (/^true$/i.test(value)) return true;
  if (/^false$/i.test(value)) return false;
  return value;
}

export interface ModelRequest {
  /** `model=`: an architecture (`yolo26n-cls`, `.yaml` from scratch, `.pt` pretrained) or a saved model folder. */
  model: string;
  /** `pretrained=`. */
  pretrained: string;
  imgsz: number;
  channels: number;
  nc: number;
  seed: number;
  /** Dropout before the classifier, for a model built here. */
  dropout?: number;
}

export interface ObtainedModel {
  model: tf.LayersModel;
  architecture: string;
  /** The saved model's metadata when it was used whole. */
  metadata?: ModelMetadata;
}

/**
 * The model a run trains, with Ultralytics' semantics: a saved model that fits the data (classes, channels, imgsz)
 * is trained on as it is; otherwise, and for `name.pt` (the shipped pretrained weights) or `pretrained=path`, a
 * fresh model of the architecture takes every weight whose name and shape match, so a new head (or stem) stays
 * freshly initialised. `name.yaml`, a bare name, or `pretrained=False` train from scratch.
 */
export async function obtainModel(request: ModelRequest, registry: ModelRegistry, log: (line: string) => void): Promise<ObtainedModel> {
  const build = { imgsz: request.imgsz, channels: request.channels, nc: request.nc, seed: request.seed, dropout: request.dropout };
  const pretrained = pretrainedSetting(request.pretrained);
  const saved = savedModelDir(request.model);
  if (saved) {
    const loaded = await loadModel(saved);
    const m = loaded.metadata;
    if (m.names.length === request.nc && m.channels === request.channels && m.imgsz === request.imgsz) {
      return { model: loaded.model, architecture: m.architecture, metadata: m };
    }
    const model = transferInto(registry.get(m.architecture).build(build), loaded.model, saved, log);
    return { model, architecture: m.architecture };
  }
  const spec = registry.get(request.model);
  const model = spec.build(build);
  if (typeof pretrained === 'string') {
    const dir = savedModelDir(pretrained);
    if (!dir) {
      model.dispose();
      throw new ConfigError(`'pretrained=${pretrained}' is not a saved model folder: give e.g. 'pretrained=runs/classify/train/weights/best', True or False`);
    }
    return { model: transferInto(model, (await loadModel(dir)).model, dir, log), architecture: spec.name };
  }
  if (request.model.toLowerCase().endsWith('.pt')) {
    const weights = userWeights(spec.name) ?? pretrainedWeights(spec.name);
    if (!pretrained) log(`pretrained=False: training ${spec.name} from scratch`);
    else if (!weights) log(`WARNING no pretrained weights ship for ${spec.name}; training it from scratch`);
    else {
      log(`Pretrained weights: ${weights.source}`);
      return { model: transferInto(model, (await loadModel(weights.dir)).model, weights.dir, log), architecture: spec.name };
    }
  }
  return { model, architecture: spec.name };
}

/** `<weights_dir>/<architecture>/` when it holds a saved model: the user's own pretrained weights, which win. */
export function userWeights(architecture: string): { dir: string; source: string } | undefined {
  const dir = join(userSetting('weights_dir'), architecture);
  return existsSync(join(dir, 'model.json')) ? { dir, source: dir } : undefined;
}

/** `target` with the weights of `source` that fit it; `source` is disposed. */
function transferInto(target: tf.LayersModel, source: tf.LayersModel, from: string, log: (line: string) => void): tf.LayersModel {
  try {
    const report = transferWeights(target, source);
    if (report.transferred === 0) throw new ConfigError(`no weight of ${from} fits the model being trained: is it another architecture?`);
    log(`Transferred ${report.transferred}/${report.total} items from pretrained weights${report.kept.length ? ` (kept as initialised: ${report.kept.join(', ')})` : ''}`);
    return target;
  } catch (error) {
    target.dispose();
    throw error;
  } finally {
    source.dispose();
  }
}
