import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { YoloTsError, writeFileAtomic } from '@yolo-ts/core-data';
import { layersModelJson } from './model-json.js';

/** What yolo-ts stores beside the weights so a saved model can be used without its training run. */
export interface ModelMetadata {
  /** Registry name of the architecture, e.g. `cnn-small`. */
  architecture: string;
  /** Class names in output order. */
  names: string[];
  imgsz: number;
  channels: number;
  /** Inputs are raw pixels 0–255, NHWC; the model rescales them itself. */
  input: 'uint8-range NHWC';
  /** The model returns logits; apply softmax for probabilities. */
  output: 'logits';
  /** Free-form extras (dataset, epoch, metrics...). */
  [key: string]: unknown;
}

export class ModelFormatError extends YoloTsError {
  static override readonly code: string = 'E_MODEL_FORMAT';
}

const MODEL_JSON = 'model.json';

/**
 * Saves a model as a tfjs-layers folder (`model.json` + one weights file), loadable by `tf.loadLayersModel`
 * in browsers too. Crash-safe: the weights file is named by its content hash and written first, then
 * `model.json` is renamed into place, so a reader sees either the old model or the new one, never a mix.
 */
export async function saveModel(model: tf.LayersModel, dir: string, metadata: ModelMetadata): Promise<void> {
  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = new Uint8Array(artifacts.weightData as ArrayBuffer);
      const weightsName = `weights.${createHash('sha256').update(weights).digest('hex').slice(0, 12)}.bin`;
      await writeFileAtomic(join(dir, weightsName), weights);
      await writeFileAtomic(join(dir, MODEL_JSON), JSON.stringify(layersModelJson(artifacts, `./${weightsName}`, metadata)));
      for (const f of await readdir(dir)) {
        if (/^weights\.[0-9a-f]{12}\.bin$/.test(f) && f !== weightsName) await rm(join(dir, f), { force: true });
      }
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

/** The weight files a tfjs `weightsManifest` lists (paths relative to `dir`), read and joined in order. */
export async function readManifestWeights(dir: string, manifest: { paths: string[] }[]): Promise<ArrayBuffer> {
  const buffers = await Promise.all(
    manifest
      .flatMap((g) => g.paths)
      .map((p) =>
        readFile(join(dir, p)).catch((error: unknown) => {
          throw new ModelFormatError(`${dir}: cannot read the weights file ${p} that model.json lists (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
        }),
      ),
  );
  const data = Buffer.concat(buffers);
  return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
}

/** Loads a folder written by `saveModel`, with its metadata. */
export async function loadModel(dir: string): Promise<{ model: tf.LayersModel; metadata: ModelMetadata }> {
  let json: {
    modelTopology: tf.io.ModelArtifacts['modelTopology'];
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    userDefinedMetadata?: { yolots?: ModelMetadata };
  };
  const jsonPath = join(dir, MODEL_JSON);
  try {
    json = JSON.parse(await readFile(jsonPath, 'utf8'));
  } catch (error) {
    throw new ModelFormatError(`cannot read model ${jsonPath}: ${(error as Error).message.split('\n')[0]}`);
  }
  const metadata = json.userDefinedMetadata?.yolots;
  if (!metadata || !json.weightsManifest?.length) throw new ModelFormatError(`${jsonPath} is not a yolo-ts model (no yolots metadata or weights manifest)`);
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const weightData = await readManifestWeights(dir, json.weightsManifest);
  const expected = specs.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1) * 4, 0);
  if (weightData.byteLength !== expected) throw new ModelFormatError(`${dir}: weights hold ${weightData.byteLength} bytes, the manifest needs ${expected}`);
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData }));
  } catch (error) {
    // tfjs' own words, e.g. "Unknown layer: Foo. This may be due to ...": the first sentence names the problem.
    const why = String((error as Error).message ?? error).split(/\.\s|\n/)[0];
    throw new ModelFormatError(`${jsonPath} cannot be rebuilt: ${why} (a model from another tool or another yolo-ts version?)`, { cause: error });
  }
  return { model, metadata };
}
