import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@yolo-ts/engine';
import { AttentionHeads, BatchNormAct, ChannelSlice, defaultModelRegistry, saveModel } from '@yolo-ts/models';
import * as ort from 'onnxruntime-node';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { predict } from '../predict/predictor.js';
import { val } from '../val/val.js';
import { exportModel } from './exporter.js';
import { lowerModel } from './lower.js';
import { writeOnnx } from './onnx.js';
import { writeTfjsGraph } from './tfjs-graph.js';
import type { Precision } from './quantize.js';

type T = tf.SymbolicTensor;
const apply = (layer: tf.layers.Layer, x: T | T[]) => layer.apply(x) as T;

/** Moves every 1-D weight (biases, BatchNorm γ, β, mean, variance) off its initial value, so that folding is visible. */
function perturb(model: tf.LayersModel, seed = 1): void {
  model.setWeights(model.getWeights().map((w, i) => tf.tidy(() => (w.shape.length === 1 ? tf.add(tf.abs(w), tf.randomUniform(w.shape, 0.1, 0.5, 'float32', seed + i)) : w.clone()))));
}

/** The graph of `model` run by stock tfjs (graph model) and by onnxruntime, beside the layers model's own output. */
async function runAll(model: tf.LayersModel, x: tf.Tensor4D, { softmax = false, precision = 'fp32' as Precision, batch = null as number | null } = {}) {
  const graph = lowerModel(model, { softmax });
  const reference = (() => {
    const y = model.predict(x) as tf.Tensor;
    const out = (softmax ? tf.softmax(y) : y).dataSync() as Float32Array;
    tf.dispose(y);
    return out;
  })();
  const tfjs = writeTfjsGraph(graph, precision, batch);
  const gm = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: tfjs.modelTopology, weightSpecs: tfjs.weightSpecs as tf.io.WeightsManifestEntry[], weightData: tfjs.weightData.slice().buffer }));
  const y = gm.execute(x) as tf.Tensor;
  const fromTfjs = y.dataSync() as Float32Array;
  tf.dispose(y);
  gm.dispose();
  const session = await ort.InferenceSession.create(writeOnnx(graph, { precision, batch, metadata: {}, producerVersion: 'test' }));
  const nchw = tf.tidy(() => x.transpose([0, 3, 1, 2]).dataSync() as Float32Array);
  const [n, h, w, c] = x.shape;
  const out = await session.run({ images: new ort.Tensor('float32', nchw, [n, c, h, w]) });
  await session.release();
  return { reference, fromTfjs, fromOnnx: out[graph.output]!.data as Float32Array };
}

const maxDiff = (a: Float32Array, b: Float32Array) => {
  expect(b.length).toBe(a.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

/** One model per operation the graph has, on odd shapes, ending in a Flatten so its output is 2-D. */
const OPS: Record<string, (x: T) => T> = {
  'Rescaling, Conv2D same stride 2 (odd size), relu, with bias': (x) =>
    apply(tf.layers.conv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }), apply(tf.layers.rescaling({ scale: 1 / 255, offset: -0.5 }), x)),
  'Conv2D valid 5x3 kernel, stride 1x2': (x) => apply(tf.layers.conv2d({ filters: 4, kernelSize: [5, 3], strides: [1, 2], padding: 'valid' }), x),
  'Conv2D → BatchNormAct SiLU (folded), stride 2 on an even and an odd side': (x) =>
    apply(new BatchNormAct({ activation: 'silu', epsilon: 1e-3 }), apply(tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', useBias: false }), x)),
  'DepthwiseConv2D → BatchNormAct linear (folded)': (x) => apply(new BatchNormAct({ activation: 'linear' }), apply(tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false }), x)),
  'BatchNormAct on its own (affine), SiLU': (x) => apply(new BatchNormAct({ activation: 'silu' }), x),
  'ChannelSlice, Add, Concatenate': (x) => {
    const a = apply(new ChannelSlice({ begin: 1, size: 2 }), x);
    const b = apply(new ChannelSlice({ begin: 0, size: 2 }), x);
    return apply(tf.layers.concatenate({ axis: -1 }), [apply(tf.layers.add(), [a, b]), x, a]);
  },
  'AttentionHeads over 3x5 positions, 2 heads': (x) => {
    const qkv = apply(tf.layers.conv2d({ filters: 2 * (2 * 2 + 4), kernelSize: 1 }), x);
    const [attended, v] = new AttentionHeads({ numHeads: 2, keyDim: 2, headDim: 4 }).apply(qkv) as T[];
    return apply(tf.layers.add(), [attended!, v!]);
  },
  'MaxPooling2D 2x2 (valid, odd size) and 3x3 stride 1 same': (x) => apply(tf.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same' }), apply(tf.layers.maxPooling2d({ poolSize: 2 }), x)),
};

describe('export: every operation of the graph against the layer it comes from', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it.each(Object.keys(OPS))('%s: tfjs graph model and ONNX equal the layers model at batch 1, 3 and 7', async (name) => {
    const input = tf.input({ shape: [6, 5, 3] });
    const out = apply(tf.layers.flatten(), OPS[name]!(input));
    const model = tf.model({ inputs: input, outputs: out });
    perturb(model);
    for (const n of [1, 3, 7]) {
      const x = tf.randomUniform([n, 6, 5, 3], -2, 2, 'float32', n) as tf.Tensor4D;
      const { reference, fromTfjs, fromOnnx } = await runAll(model, x);
      expect(maxDiff(reference, fromTfjs)).toBeLessThan(1e-5);
      expect(maxDiff(reference, fromOnnx)).toBeLessThan(1e-5);
      x.dispose();
    }
    model.dispose();
  });

  it('GlobalAveragePooling2D, Dense relu, Dropout, Dense, softmax', async () => {
    const input = tf.input({ shape: [7, 3, 4] });
    let h = apply(tf.layers.globalAveragePooling2d({}), input);
    h = apply(tf.layers.dropout({ rate: 0.5 }), apply(tf.layers.dense({ units: 9, activation: 'relu' }), h));
    const model = tf.model({ inputs: input, outputs: apply(tf.layers.dense({ units: 5 }), h) });
    perturb(model);
    const x = tf.randomUniform([7, 7, 3, 4], -1, 1, 'float32', 3) as tf.Tensor4D;
    const { reference, fromTfjs, fromOnnx } = await runAll(model, x, { softmax: true });
    expect(maxDiff(reference, fromTfjs)).toBeLessThan(1e-6);
    expect(maxDiff(reference, fromOnnx)).toBeLessThan(1e-6);
    model.dispose();
  });

  it.each(['yolo26n-cls', 'cnn-small', 'cnn-bn'])('%s lowers whole: logits within 1e-5 of their range on both runtimes, batch 1 fixed and 7 dynamic', async (name) => {
    const model = defaultModelRegistry().build(name, { imgsz: 28, channels: 1, nc: 10, seed: 0 });
    perturb(model);
    for (const [n, batch] of [
      [1, 1],
      [7, null],
    ] as const) {
      const x = tf.randomUniform([n, 28, 28, 1], 0, 255, 'float32', 5) as tf.Tensor4D;
      const { reference, fromTfjs, fromOnnx } = await runAll(model, x, { batch });
      const range = Math.max(...reference) - Math.min(...reference);
      expect(range).toBeGreaterThan(1e-3);
      expect(maxDiff(reference, fromTfjs)).toBeLessThan(1e-5 * range);
      expect(maxDiff(reference, fromOnnx)).toBeLessThan(1e-5 * range);
      x.dispose();
    }
    model.dispose();
  }, 60_000);

  it('a layer export does not know stops it with one line naming the layer, and nothing is written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yolo-ts-export-'));
    const input = tf.input({ shape: [28, 28, 1] });
    const h = apply(tf.layers.flatten(), apply(tf.layers.batchNormalization({ name: 'stock_bn' }), input));
    const model = tf.model({ inputs: input, outputs: apply(tf.layers.dense({ units: 10 }), h) });
    const weights = join(dir, 'weights', 'best');
    await saveModel(model, weights, { architecture: 'custom', names: [...'0123456789'], imgsz: 28, channels: 1, input: 'uint8-range NHWC', output: 'logits' });
    const before = await readdir(join(dir, 'weights'));
    for (const format of ['tfjs', 'onnx']) {
      await expect(exportModel({ model: weights, format, device: 'wasm' }, { log: () => {} })).rejects.toThrow(/^cannot export layer 'stock_bn' \(BatchNormalization\)/);
    }
    expect(await readdir(join(dir, 'weights'))).toEqual(before);
  });
});

describe('export of a saved model, then predict with the export', () => {
  let weights: string;
  beforeAll(async () => {
    await selectBackend('wasm');
    const dir = await mkdtemp(join(tmpdir(), 'yolo-ts-export-'));
    weights = join(dir, 'weights', 'best');
    const model = defaultModelRegistry().build('cnn-bn', { imgsz: 28, channels: 1, nc: 10, seed: 0 });
    perturb(model);
    await saveModel(model, weights, { architecture: 'cnn-bn', names: [...'0123456789'], imgsz: 28, channels: 1, input: 'uint8-range NHWC', output: 'logits', dataset: 'mnist160' });
    model.dispose();
  });

  const probsOf = async (model: string) => (await predict({ model, source: 'mnist160/test', device: 'wasm', verbose: false, batch: 32 }, { log: () => {} })).map((r) => Array.from(r.probs.data));

  it('writes best_web_model/ and best.onnx next to the weights, with metadata, and a near-miss format is corrected', async () => {
    const lines: string[] = [];
    const tfjs = await exportModel({ model: weights, format: 'tfj', device: 'wasm' }, { log: (l) => lines.push(l) });
    expect(lines).toContain("WARNING Invalid export format='tfj', updating to format='tfjs'");
    expect(tfjs.path).toBe(`${weights}_web_model`);
    expect((await readdir(tfjs.path)).sort()).toEqual(['group1-shard1of1.bin', 'metadata.yaml', 'model.json']);
    const meta = parse(await readFile(join(tfjs.path, 'metadata.yaml'), 'utf8'));
    expect(meta).toMatchObject({ task: 'classify', imgsz: [28, 28], channels: 1, batch: 1, author: 'yolo-ts', precision: 'fp32' });
    expect(Object.keys(meta.names)).toHaveLength(10);
    expect(lines.some((l) => /^TensorFlow\.js: export success ✅ .*best_web_model' \(\d+\.\d MB\)$/.test(l))).toBe(true);
    const onnx = await exportModel({ model: weights, format: 'onnx', dynamic: true, device: 'wasm' }, { log: () => {} });
    expect(onnx.path).toBe(`${weights}.onnx`);
    expect(onnx.metadata.batch).toBeNull();
    // The layers model beside them is untouched, and no temporary folder is left.
    expect((await readdir(join(weights, '..'))).sort()).toEqual(['best', 'best.onnx', 'best_web_model']);
  });

  it('predict on the exports gives the saved model probabilities within 1e-4 and the same top-1 (fp32); half and int8 are 1/2 and 1/4 the size', async () => {
    const reference = await probsOf(weights);
    expect(reference.length).toBeGreaterThan(50);
    const top1 = (p: number[]) => p.indexOf(Math.max(...p));
    const sizes: Record<string, number> = {};
    for (const [format, precision] of [
      ['tfjs', {}],
      ['onnx', {}],
      ['tfjs', { half: true }],
      ['onnx', { int8: true }],
    ] as const) {
      const { path, bytes } = await exportModel({ model: weights, format, dynamic: true, ...precision, device: 'wasm' }, { log: () => {} });
      sizes[`${format}${Object.keys(precision)[0] ?? ''}`] = bytes;
      const got = await probsOf(path);
      const tolerance = 'int8' in precision ? 0.05 : 'half' in precision ? 5e-3 : 1e-4;
      got.forEach((p, i) => p.forEach((v, k) => expect(Math.abs(v - reference[i]![k]!)).toBeLessThan(tolerance)));
      const agree = got.filter((p, i) => top1(p) === top1(reference[i]!)).length / got.length;
      expect(agree).toBeGreaterThanOrEqual(Object.keys(precision).length ? 0.95 : 1);
    }
    expect(sizes.tfjshalf! / sizes.tfjs!).toBeLessThan(0.6);
    expect(sizes.onnxint8! / sizes.onnx!).toBeLessThan(0.35);
  }, 60_000);

  it('val takes an export (data= from its metadata) and gives the saved model figures', async () => {
    const quiet = { log: () => {} };
    const saved = await val({ model: weights, device: 'wasm', plots: false }, quiet);
    for (const format of ['tfjs', 'onnx']) {
      const { path } = await exportModel({ model: weights, format, device: 'wasm' }, quiet);
      const exported = await val({ model: path, device: 'wasm', plots: false }, quiet);
      expect(exported.metrics.top1).toBe(saved.metrics.top1);
      expect(exported.metrics.top5).toBe(saved.metrics.top5);
      expect(exported.metrics.confusion).toEqual(saved.metrics.confusion);
      expect(Math.abs(exported.metrics.loss - saved.metrics.loss)).toBeLessThan(1e-4);
    }
  }, 60_000);
});
