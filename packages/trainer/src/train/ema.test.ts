import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ArrayEma, ModelEma, emaDecay } from './ema.js';

describe('ModelEma', () => {
  it('averages every weight (non-trainable too) and lends the average only inside withAverage', async () => {
    await tf.setBackend('cpu');
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] }), tf.layers.batchNormalization()] });
    const before = tf.memory().numTensors;
    const ema = new ModelEma(model, 0.5, 1e-9); // d = 0.5 from the first update on
    const start = model.weights.map((w) => Array.from(w.read().dataSync()));
    model.setWeights(model.weights.map((w) => tf.onesLike(w.read())));
    ema.update();
    const averaged = await ema.withAverage(() => model.weights.map((w) => w.read().dataSync()));
    averaged.forEach((a, i) => a.forEach((v, j) => expect(v).toBeCloseTo((start[i]![j]! + 1) / 2, 6)));
    expect(model.weights.every((w) => w.read().dataSync().every((v) => v === 1))).toBe(true);
    ema.dispose();
    expect(tf.memory().numTensors).toBe(before + model.weights.length); // the onesLike weights replaced the start ones
  });

  it('has an array twin for replicas that follows the same decay ramp', () => {
    const w = Float32Array.from([2, 4]);
    const ema = new ArrayEma([3], [() => w], [Float32Array.from([0, 0])]);
    ema.update();
    const d = emaDecay(1);
    expect(Array.from(ema.values()[0]!)).toEqual([2, 4].map((v) => Math.fround((1 - d) * v)));
    expect(emaDecay(2000)).toBeCloseTo(0.9999 * (1 - Math.exp(-1)), 12);
    expect(ema.indices).toEqual([3]);
  });
});
