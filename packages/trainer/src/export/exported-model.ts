import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import onnxProto from 'onnx-proto';
import { parse } from 'yaml';
import { readManifestWeights } from '@yolo-ts/models';
import { ExportError } from './lower.js';
import { permute } from './onnx.js';

/** What an exported model says of itself (metadata.yaml beside a tfjs model, metadata_props inside an ONNX file). */
export interface ExportMetadata {
  description: string;
  author: string;
  date: string;
  version: string;
  license: string;
  docs: string;
  task: 'classify';
  stride: number;
  batch: number | null;
  imgsz: [number, number];
  channels: number;
  names: Record<number, string>;
  /** The dataset it was trained on (`data=` for val), when known. */
  dataset?: string;
  input: string;
  output: string;
  precision: string;
  args: Record<string, unknown>;
}

/** A model written by export, run by its own runtime: stock tfjs for `tfjs`, onnxruntime-node for `onnx`. */
export interface ExportedModel {
  format: 'tfjs' | 'onnx';
  metadata: ExportMetadata;
  /** Softmax probabilities [n, classes] of `n` images given as raw 0–255 pixels, NHWC (transposed for ONNX). */
  probabilities(pixels: Float32Array, n: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/** Whether `path` names an export: a `*.onnx` file or a folder holding a graph-model `model.json`. */
export async function exportedFormat(path: string): Promise<'tfjs' | 'onnx' | undefined> {
  if (path.toLowerCase().endsWith('.onnx')) return 'onnx';
  try {
    const json = JSON.parse(await readFile(join(path, 'model.json'), 'utf8')) as { format?: string };
    return json.format === 'graph-model' ? 'tfjs' : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `run` over `n` images in pieces of the model's fixed batch (the last one padded with zeros), or all at once when
 * the batch axis is dynamic; the probabilities of the `n` images.
 */
async function inBatches(batch: number | null, pixels: Float32Array, n: number, classes: number, run: (x: Float32Array, m: number) => Promise<Float32Array>): Promise<Float32Array> {
  if (batch === null || batch === n) return run(pixels, n);
  const per = pixels.length / n;
  const out = new Float32Array(n * classes);
  for (let i = 0; i < n; i += batch) {
    const x = new Float32Array(batch * per);
    x.set(pixels.subarray(i * per, Math.min(n, i + batch) * per));
    const y = await run(x, batch);
    out.set(y.subarray(0, (Math.min(n, i + batch) - i) * classes), i * classes);
  }
  return out;
}

/** Loads a tfjs graph model folder with stock tfjs (no yolo-ts layer or op involved) and its metadata.yaml. */
async function openTfjs(dir: string): Promise<ExportedModel> {
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as { modelTopology: object; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  const weightData = await readManifestWeights(dir, json.weightsManifest);
  const model = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData }));
  const metadata = parse(await readFile(join(dir, 'metadata.yaml'), 'utf8')) as ExportMetadata;
  const [h, w] = metadata.imgsz;
  return {
    format: 'tfjs',
    metadata,
    probabilities: (pixels, n) =>
      inBatches(metadata.batch, pixels, n, Object.keys(metadata.names).length, async (batch, m) => {
        const x = tf.tensor4d(batch, [m, h, w, metadata.channels]);
        const y = model.execute(x) as tf.Tensor;
        const out = (await y.data()) as Float32Array;
        tf.dispose([x, y]);
        return out;
      }),
    async dispose() {
      model.dispose();
    },
  };
}

/** Loads an ONNX file with onnxruntime-node (installed beside yolo-ts: it is not a dependency, being 290 MB). */
async function openOnnx(file: string): Promise<ExportedModel> {
  let ort: typeof import('onnxruntime-node');
  try {
    ort = await import('onnxruntime-node');
  } catch {
    throw new ExportError(`running ${file} needs onnxruntime-node: npm install onnxruntime-node (or pnpm add onnxruntime-node)`);
  }
  const bytes = await readFile(file);
  const props = onnxProto.onnx.ModelProto.decode(bytes).metadataProps ?? [];
  const metadata = Object.fromEntries(props.map((p) => [p.key!, JSON.parse(p.value!)])) as ExportMetadata;
  const session = await ort.InferenceSession.create(bytes);
  const [h, w] = metadata.imgsz;
  const c = metadata.channels;
  return {
    format: 'onnx',
    metadata,
    probabilities: (pixels, n) =>
      inBatches(metadata.batch, pixels, n, Object.keys(metadata.names).length, async (batch, m) => {
        const nchw = permute(batch, [m, h, w, c], [0, 3, 1, 2]);
        const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', nchw, [m, c, h, w]) });
        return out[session.outputNames[0]!]!.data as Float32Array;
      }),
    dispose: () => session.release(),
  };
}

/** Opens an exported model (`best_web_model/` or `best.onnx`) to predict with. */
export async function openExportedModel(path: string): Promise<ExportedModel> {
  const format = await exportedFormat(path);
  if (format === 'onnx') return openOnnx(path);
  if (format === 'tfjs') return openTfjs(path);
  throw new ExportError(`${path} is not an exported model (a folder with a graph-model model.json, or a .onnx file)`);
}
