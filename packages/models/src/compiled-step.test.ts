import * as tf from '@tensorflow/tfjs';
import { Adam, compilePredictor, CompiledPredictor, compileTrainStep, CompiledTrainStep, DataParallelStep, selectBackend } from '@yolo-ts/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultModelRegistry } from './index.js';

/**
 * The compiled training step (engine's plan) against tfjs' own autograd, on the cpu backend (exact maths) and on
 * wasm (the same native kernels behind tfjs ops): same model (same seed), same batch; every parameter's gradient,
 * the loss and the moving statistics must agree.
 */
function reference(on: 'cpu' | 'wasm', name: string, imgsz: number, pixels: Float32Array, labels: Int32Array, smoothing: number) {
  const prev = tf.getBackend();
  tf.setBackend(on);
  const model = defaultModelRegistry().build(name, { imgsz, channels: 1, nc: 10, seed: 3 });
  const n = labels.length;
  const x = tf.tensor4d(pixels, [n, imgsz, imgsz, 1]);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor, undefined, smoothing) as tf.Scalar, variables);
  const result = {
    loss: value.dataSync()[0]!,
    grads: model.trainableWeights.map((w) => grads[w.read().name]!.dataSync().slice() as Float32Array),
    stats: model.nonTrainableWeights.map((w) => w.read().dataSync().slice() as Float32Array),
  };
  tf.dispose([x, y, value, ...Object.values(grads)]);
  model.dispose();
  tf.setBackend(prev);
  return result;
}

/** BatchNorm shifts whose gradient is zero by construction (see gradients.test.ts): only rounding noise to compare. */
const CONSTANT_SHIFTS = /^model\.9\.m\.0\.(attn\.qkv|attn\.pe|attn\.proj|ffn\.1)\.bn\/beta$/;

/** The wasm heap as floats, taken afresh (it can grow). */
const heap = () => (tf.backend() as unknown as { wasm: { HEAPF32: Float32Array } }).wasm.HEAPF32;

function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

describe('compiled training step', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  // [model, imgsz, batch, label smoothing, tolerance against cpu]. At 28 px the last stages are 1×1, so BatchNorm
  // there normalises `batch` values: with 3, float32 rounding (and the kernels' e^x) is amplified, and tfjs' own
  // wasm path is 12% from cpu on some gradients. There only the wasm comparison is tight.
  const cases: [string, number, number, number, number][] = [
    ['cnn-small', 28, 3, 0, 1e-3],
    ['cnn-bn', 28, 1, 0.1, 1e-3],
    ['yolo26n-cls', 28, 3, 0, 0.2],
    ['yolo26n-cls', 40, 3, 0.1, 1e-2], // 2×2 last stage: attention over 4 positions
    ['yolo26n-cls', 28, 16, 0, 1e-2],
  ];
  it.each(cases)('%s at %i px, batch %i, smoothing %f: gradients as tfjs autograd', (name, imgsz, n, smoothing, cpuTolerance) => {
    const pixels = Float32Array.from({ length: n * imgsz * imgsz }, (_, i) => (Math.sin(i * 12.9898) * 43758.5453) % 1 * 127.5 + 127.5);
    const labels = Int32Array.from({ length: n }, (_, i) => (i * 7 + 3) % 10);
    const [cpu, wasm] = [reference('cpu', name, imgsz, pixels, labels, smoothing), reference('wasm', name, imgsz, pixels, labels, smoothing)];
    const model = defaultModelRegistry().build(name, { imgsz, channels: 1, nc: 10, seed: 3 });
    const step = compileTrainStep(model, { maxBatch: n + 2, labelSmoothing: smoothing });
    expect(step).toBeInstanceOf(CompiledTrainStep);
    const plan = step as CompiledTrainStep;
    const x = tf.tensor4d(pixels, [n, imgsz, imgsz, 1]);
    const loss = plan.run(x, tf.tensor1d(labels, 'int32'));
    expect(loss).toBeCloseTo(wasm.loss, 5);
    expect(loss).toBeCloseTo(cpu.loss, 3);
    const byVariable = new Map(plan.params.map((p) => [p.variable, p.grad]));
    const errors = (ref: Float32Array[]) =>
      model.trainableWeights.map((w, i) => {
        const slot = byVariable.get(w.read() as tf.Variable)!;
        return [w.originalName, relativeError(heap().slice(slot.address / 4, slot.address / 4 + slot.floats), ref[i]!)] as const;
      });
    const over = (ref: Float32Array[], tolerance: number) => errors(ref).filter(([name, e]) => !CONSTANT_SHIFTS.test(name) && !(e < tolerance));
    expect(byVariable.size).toBe(model.trainableWeights.length);
    expect(over(wasm.grads, 2e-3)).toEqual([]);
    expect(over(cpu.grads, cpuTolerance)).toEqual([]);
    const stats = model.nonTrainableWeights.map((w, i) => relativeError(w.read().dataSync() as Float32Array, wasm.stats[i]!));
    expect(Math.max(0, ...stats)).toBeLessThan(1e-4);
    plan.dispose();
    x.dispose();
    model.dispose();
  });

  it.each([
    ['cnn-bn', 28, 7],
    ['yolo26n-cls', 40, 6],
  ] as const)('%s at %i px, batch %i in halves: the halves\' gradients averaged by images, their statistics by half', (name, imgsz, n) => {
    const pixels = Float32Array.from({ length: n * imgsz * imgsz }, (_, i) => (Math.sin(i * 78.233) * 43758.5453) % 1 * 127.5 + 127.5);
    const labels = Int32Array.from({ length: n }, (_, i) => (i * 3 + 1) % 10);
    const nA = Math.ceil(n / 2);
    const per = imgsz * imgsz;
    const [a, b] = [
      reference('wasm', name, imgsz, pixels.slice(0, nA * per), labels.slice(0, nA), 0),
      reference('wasm', name, imgsz, pixels.slice(nA * per), labels.slice(nA), 0),
    ];
    const model = defaultModelRegistry().build(name, { imgsz, channels: 1, nc: 10, seed: 3 });
    const plan = compileTrainStep(model, { maxBatch: n, halves: true }) as DataParallelStep;
    expect(plan).toBeInstanceOf(DataParallelStep);
    const loss = plan.run(tf.tensor4d(pixels, [n, imgsz, imgsz, 1]), tf.tensor1d(labels, 'int32'));
    const wA = nA / n;
    expect(loss).toBeCloseTo(wA * a.loss + (1 - wA) * b.loss, 5);
    const byVariable = new Map(plan.params.map((p) => [p.variable, p.grad]));
    const over = model.trainableWeights.flatMap((w, i) => {
      const slot = byVariable.get(w.read() as tf.Variable)!;
      const expected = a.grads[i]!.map((g, j) => wA * g + (1 - wA) * b.grads[i]![j]!);
      const e = relativeError(heap().slice(slot.address / 4, slot.address / 4 + slot.floats), expected);
      return CONSTANT_SHIFTS.test(w.originalName) || e < 2e-3 ? [] : [[w.originalName, e]];
    });
    expect(over).toEqual([]);
    const stats = model.nonTrainableWeights.map((w, i) => relativeError(w.read().dataSync() as Float32Array, a.stats[i]!.map((v, j) => (v + b.stats[i]![j]!) / 2)));
    expect(Math.max(0, ...stats)).toBeLessThan(1e-4);
    plan.dispose();
    model.dispose();
  });

  it.each([
    ['cnn-small', 28, 5],
    ['cnn-bn', 28, 5],
    ['cnn-bn', 28, 150], // chunks of 64 per thread: 64 + 64, then 22 alone
    ['yolo26n-cls', 40, 7],
  ] as const)('%s at %i px: the compiled inference forward, BatchNorm folded into the convs, gives predict()\'s logits (batch %i in halves)', (name, imgsz, n) => {
    const model = defaultModelRegistry().build(name, { imgsz, channels: 1, nc: 10, seed: 3 });
    // Moving statistics of their own (not 0 and 1), as a trained model has.
    for (const w of model.nonTrainableWeights) {
      const values = Float32Array.from({ length: w.read().size }, (_, i) => (w.name.includes('variance') ? 0.5 + ((i * 37) % 11) / 10 : ((i * 53) % 7) / 10 - 0.3));
      w.write(tf.tensor(values, w.read().shape));
    }
    const x = tf.tensor4d(Float32Array.from({ length: n * imgsz * imgsz }, (_, i) => (i * 7919) % 256), [n, imgsz, imgsz, 1]);
    const expected = (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
    const predictor = compilePredictor(model, n) as CompiledPredictor;
    expect(predictor).toBeInstanceOf(CompiledPredictor);
    // Every Conv2D → BatchNormAct pair runs folded (yolo26n-cls: all its BatchNorms but the depthwise `pe`'s).
    const inboundClass = (l: tf.layers.Layer) => (l as unknown as { inboundNodes: { inboundLayers: tf.layers.Layer[] }[] }).inboundNodes[0]!.inboundLayers[0]!.getClassName();
    const pairs = model.layers.filter((l) => l.getClassName() === 'YoloTsBatchNormAct' && inboundClass(l) === 'Conv2D').length;
    expect(pairs).toBe({ 'cnn-small': 0, 'cnn-bn': 3, 'yolo26n-cls': 38 }[name]);
    expect(predictor.foldedBatchNorms).toBe(pairs);
    const got = predictor.predict(x);
    expect(got.length).toBe(expected.length);
    expect(relativeError(got, expected)).toBeLessThan(1e-4);
    predictor.dispose();
    x.dispose();
    model.dispose();
  });

  it('trains in place with Adam as the tfjs step does: the same losses for 100 steps', () => {
    // Five batches of 8, taken in turn: labels the net must learn (each image brightest in its label's band).
    const batches = Array.from({ length: 5 }, (_, b) => {
      const labels = Array.from({ length: 8 }, (_, i) => (3 * b + i) % 10);
      const noise = tf.randomUniform([8, 28, 28, 1], 0, 200, 'float32', 5 + b);
      const bands = tf.tensor4d(labels.flatMap((l) => Array.from({ length: 784 }, (_, p) => (Math.floor((p % 28) / 2.8) === l ? 55 : 0))), [8, 28, 28, 1]);
      const x = tf.add(noise, bands);
      tf.dispose([noise, bands]);
      return { x, y: tf.tensor1d(labels, 'int32') };
    });
    const curve = (compiled: boolean) => {
      const model = defaultModelRegistry().build('yolo26n-cls', { imgsz: 28, channels: 1, nc: 10, seed: 3 });
      const adam = new Adam(0.0005, 0.9, 0.999, 1e-8, 0.05);
      const plan = compiled ? (compileTrainStep(model, { maxBatch: 8 }) as CompiledTrainStep) : undefined;
      const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const losses: number[] = [];
      for (let i = 0; i < 100; i++) {
        const { x, y } = batches[i % batches.length]!;
        if (plan) {
          losses.push(plan.run(x, y));
          adam.applyInPlace(plan.params);
        } else {
          const cost = adam.minimize(() => tf.losses.softmaxCrossEntropy(tf.oneHot(y, 10), model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true, variables)!;
          losses.push(cost.dataSync()[0]!);
          cost.dispose();
        }
      }
      plan?.dispose();
      adam.dispose();
      model.dispose();
      return losses;
    };
    const [tfjs, compiled] = [curve(false), curve(true)];
    expect(compiled.slice(95).reduce((a, b) => a + b)).toBeLessThan(compiled.slice(0, 5).reduce((a, b) => a + b) * 0.2);
    compiled.forEach((loss, i) => expect(Math.abs(loss - tfjs[i]!)).toBeLessThan(0.02 * tfjs[i]! + 1e-3));
    tf.dispose(batches.flatMap(({ x, y }) => [x, y]));
  });
});
