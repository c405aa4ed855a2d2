import { readFileSync } from 'node:fs';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { closestMatch, replaceFolderAtomic, writeFileAtomic } from '@yolo-ts/core-data';
import { selectBackend } from '@yolo-ts/engine';
import { saveModel } from '@yolo-ts/models';
import { stringify } from 'yaml';
import { ConfigError, resolveConfig } from '../config/config.js';
import { loadTrainedModel } from '../predict/classifier.js';
import type { RunContext } from '../train/train.js';
import { savedModelDir } from '../train/model-source.js';
import type { ExportMetadata } from './exported-model.js';
import { lowerModel } from './lower.js';
import { ONNX_OPSET, writeOnnx } from './onnx.js';
import type { Precision } from './quantize.js';
import { writeTfjsGraph } from './tfjs-graph.js';

export const EXPORT_FORMATS = ['tfjs', 'onnx', 'tfjs-layers'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportResult {
  format: ExportFormat;
  /** The folder (tfjs, tfjs-layers) or file (onnx) written. */
  path: string;
  bytes: number;
  metadata: ExportMetadata;
}

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** `format=` as given, fixed as Ultralytics fixes it: a near miss is corrected with a warning, anything else refused. */
export function exportFormat(raw: unknown, log: (line: string) => void): ExportFormat {
  if (raw === undefined || raw === null || raw === '') {
    log("WARNING 'format' argument is missing. Using default 'format=tfjs'.");
    return 'tfjs';
  }
  const given = String(raw).toLowerCase();
  if ((EXPORT_FORMATS as readonly string[]).includes(given)) return given as ExportFormat;
  const near = closestMatch(given, EXPORT_FORMATS);
  if (near) {
    log(`WARNING Invalid export format='${String(raw)}', updating to format='${near}'`);
    return near as ExportFormat;
  }
  throw new ConfigError(`Invalid export format='${String(raw)}'. Valid formats are ${EXPORT_FORMATS.join(', ')}`);
}

async function sizeOf(path: string): Promise<number> {
  const s = await stat(path);
  if (!s.isDirectory()) return s.size;
  let total = 0;
  for (const f of await readdir(path)) total += await sizeOf(join(path, f));
  return total;
}

/**
 * Ultralytics' export mode for classifiers: lowers the trained model once (lowerModel) and writes it as a tfjs
 * graph model (`<weights>_web_model/`), an ONNX file (`<weights>.onnx`) or a copy of the tfjs layers model
 * (`<weights>_layers_model/`, which needs @yolo-ts/models' layer classes to load), next to the weights (in the
 * current folder for shipped `NAME.pt` weights). Nothing is written unless the whole model lowers.
 */
export async function exportModel(settings: Record<string, unknown>, context: RunContext = {}): Promise<ExportResult> {
  const log = context.log ?? console.log;
  const t0 = performance.now();
  // Ultralytics exports batch 1 unless told otherwise (its training default of 16 is not an export's).
  const cfg = resolveConfig({ batch: 1, ...settings, mode: 'export' }, {}, log);
  const format = exportFormat(cfg.format, log);
  if (cfg.half && cfg.int8) throw new ConfigError('half=True and int8=True together: choose one precision');
  const precision: Precision = cfg.int8 ? 'int8' : cfg.half ? 'fp16' : 'fp32';
  const backend = await selectBackend(cfg.device);
  if (cfg.verbose) log(backend.summary);
  const { model, metadata, dir } = await loadTrainedModel(cfg.model, context.models);
  try {
    if (settings.imgsz !== undefined && Number(settings.imgsz) !== metadata.imgsz) log(`WARNING imgsz=${String(settings.imgsz)} is not the model's size: ${dir} takes ${metadata.imgsz}×${metadata.imgsz} images, and is exported at that size`);
    const graph = lowerModel(model); // before anything is written: an unknown layer stops here
    const batch = cfg.dynamic ? null : cfg.batch;
    const base = savedModelDir(cfg.model) ? dir : resolve(basename(dir));
    const names = Object.fromEntries(metadata.names.map((n, i) => [i, n]));
    const meta: ExportMetadata = {
      description: `yolo-ts ${metadata.architecture} model trained on ${String(metadata.dataset ?? 'unknown data')}`,
      author: 'yolo-ts',
      date: new Date().toISOString(),
      version: VERSION,
      license: 'MIT',
      docs: 'the yolo-ts README, section export',
      task: 'classify',
      stride: 1,
      batch,
      imgsz: [metadata.imgsz, metadata.imgsz],
      channels: metadata.channels,
      names,
      ...(typeof metadata.dataset === 'string' ? { dataset: metadata.dataset } : {}),
      input: format === 'onnx' ? 'float32 pixels 0-255, NCHW [batch, channels, h, w]' : 'float32 pixels 0-255, NHWC [batch, h, w, channels]',
      output: 'float32 softmax probabilities [batch, classes]',
      precision,
      args: { format, half: cfg.half, int8: cfg.int8, dynamic: cfg.dynamic, batch: cfg.batch, ...(format === 'onnx' ? { opset: ONNX_OPSET } : {}) },
    };
    let path: string;
    if (format === 'onnx') {
      path = `${base}.onnx`;
      const bytes = writeOnnx(graph, { precision, batch, producerVersion: VERSION, metadata: Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, JSON.stringify(v)])) });
      await writeFileAtomic(path, bytes);
    } else if (format === 'tfjs') {
      path = `${base}_web_model`;
      const { modelTopology, weightSpecs, weightData } = writeTfjsGraph(graph, precision, batch);
      const shard = 'group1-shard1of1.bin';
      const modelJson = { format: 'graph-model', generatedBy: `yolo-ts ${VERSION}`, convertedBy: 'yolo-ts export', modelTopology, weightsManifest: [{ paths: [shard], weights: weightSpecs }] };
      await replaceFolderAtomic(path, async (tmp) => {
        await writeFile(join(tmp, shard), weightData);
        await writeFile(join(tmp, 'model.json'), JSON.stringify(modelJson));
        await writeFile(join(tmp, 'metadata.yaml'), stringify(meta));
      });
    } else {
      if (precision !== 'fp32') throw new ConfigError('format=tfjs-layers stores the weights as trained (float32): half and int8 apply to tfjs and onnx');
      path = `${base}_layers_model`;
      await replaceFolderAtomic(path, async (tmp) => {
        await saveModel(model, tmp, metadata);
        await writeFile(join(tmp, 'metadata.yaml'), stringify(meta));
      });
    }
    const bytes = await sizeOf(path);
    const seconds = (performance.now() - t0) / 1000;
    const label = { tfjs: 'TensorFlow.js', onnx: 'ONNX', 'tfjs-layers': 'TensorFlow.js layers' }[format];
    const imgsz = metadata.imgsz;
    log(`${label}: export success ✅ ${seconds.toFixed(1)}s, saved as '${path}' (${(bytes / 1e6).toFixed(1)} MB)`);
    log(`\nExport complete (${seconds.toFixed(1)}s)\nResults saved to ${dirname(path)}`);
    if (format !== 'tfjs-layers') {
      log(`Predict:         yolo-ts predict task=classify model=${path} imgsz=${imgsz} source=...`);
      log(`Validate:        yolo-ts val task=classify model=${path} imgsz=${imgsz} data=${String(metadata.dataset ?? 'DATA')}`);
    }
    log('Visualize:       https://netron.app');
    return { format, path, bytes, metadata: meta };
  } finally {
    model.dispose();
  }
}
