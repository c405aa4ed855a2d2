import type { ImageSplit } from '@yolo-ts/core-data';
import * as tf from '@tensorflow/tfjs';
import { defaultModelRegistry, loadModel, type ModelMetadata, type ModelRegistry } from '@yolo-ts/models';
import { pretrainedWeights } from '@yolo-ts/weights';
import { ConfigError } from '../config/config.js';
import { exportedFormat, openExportedModel } from '../export/exported-model.js';
import { savedModelDir, userWeights } from '../train/model-source.js';
import { evaluate, evaluateProbabilities, type ClassifyMetrics } from '../val/metrics.js';

/** A trained model to predict with: a saved model folder (`weights/best`, `best.pt`), or `NAME.pt` pretrained weights. */
export async function loadTrainedModel(model: string, registry: ModelRegistry = defaultModelRegistry()): Promise<{ model: tf.LayersModel; metadata: ModelMetadata; dir: string }> {
  const saved = savedModelDir(model);
  const architecture = !saved && model.toLowerCase().endsWith('.pt') ? registry.get(model).name : undefined;
  const dir = saved ?? (architecture ? (userWeights(architecture) ?? pretrainedWeights(architecture))?.dir : undefined);
  if (!dir) throw new ConfigError(`model=${model || '(none)'} is not a trained model: give a saved model folder (runs/classify/train/weights/best) or pretrained weights (yolo26n-cls.pt)`);
  return { ...(await loadModel(dir)), dir };
}

/** What predict and val run: a saved model (tfjs layers) or an export (tfjs graph model, ONNX), behind one face. */
export interface Classifier {
  names: string[];
  imgsz: number;
  channels: number;
  /** The dataset it was trained on, when known (val's default `data=`). */
  dataset?: string;
  /** Where it was loaded from. */
  dir: string;
  /** Softmax probabilities [n, classes] of `n` images of raw NHWC pixels. */
  probabilities(pixels: Float32Array, n: number): Promise<Float32Array>;
  /** Validation figures on `split`: a saved model evaluated fused (loss from its logits), an export from its probabilities. */
  evaluate(split: ImageSplit, imgsz: number, batch: number): Promise<ClassifyMetrics>;
  dispose(): Promise<void>;
}

export async function openClassifier(model: string, registry?: ModelRegistry): Promise<Classifier> {
  if (await exportedFormat(model)) {
    const exported = await openExportedModel(model);
    const { names, imgsz, channels, dataset } = exported.metadata;
    const probabilities = (pixels: Float32Array, n: number) => exported.probabilities(pixels, n);
    const classes = Object.values(names);
    return {
      names: classes,
      imgsz: imgsz[0],
      channels,
      dataset,
      dir: model,
      probabilities,
      evaluate: (split, size, batch) => evaluateProbabilities(probabilities, classes.length, split, size, batch),
      dispose: () => exported.dispose(),
    };
  }
  const { model: layers, metadata, dir } = await loadTrainedModel(model, registry);
  const { names, imgsz, channels } = metadata;
  return {
    names,
    imgsz,
    channels,
    dataset: typeof metadata.dataset === 'string' ? metadata.dataset : undefined,
    dir,
    probabilities: async (pixels, n) => tf.tidy(() => tf.softmax(layers.predict(tf.tensor4d(pixels, [n, imgsz, imgsz, channels]), { batchSize: n }) as tf.Tensor2D).dataSync() as Float32Array),
    evaluate: async (split, size, batch) => evaluate(layers, split, size, batch),
    dispose: async () => {
      layers.dispose();
    },
  };
}
