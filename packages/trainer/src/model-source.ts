import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { loadModel, type ModelMetadata, type ModelRegistry } from '@yolo-ts/models';

/** True when `model=` names a saved model folder (or its model.json) rather than an architecture. */
export function isSavedModel(model: string): boolean {
  return model.endsWith('model.json') ? existsSync(model) : existsSync(join(model, 'model.json'));
}

/** Loads a saved model, or builds a fresh one of the named architecture. */
export async function obtainModel(
  model: string,
  registry: ModelRegistry,
  build: { imgsz: number; channels: number; nc: number; seed: number },
): Promise<{ model: tf.LayersModel; architecture: string; metadata?: ModelMetadata }> {
  if (isSavedModel(model)) {
    const dir = model.endsWith('model.json') ? model.slice(0, -'model.json'.length) || '.' : model;
    const loaded = await loadModel(dir);
    return { model: loaded.model, architecture: loaded.metadata.architecture, metadata: loaded.metadata };
  }
  const spec = registry.get(model);
  return { model: spec.build(build), architecture: spec.name };
}
