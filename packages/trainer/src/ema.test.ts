import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ModelEma } from './ema.js';

describe('ModelEma', () => {
  it('averages every weight (non-trainable too) and lends the average only inside withAverage', async () => {
    await tf.setBackend('cpu');
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] }), tf.layers.batchNormalization()] });
    const before = tf.memory().numTensors;
    const ema = new ModelEma(model, undefined, 0.5, 1e-9); // d = 0.5 from the first update on
    const start = model.weights.map((w) => Array.from(w.read().dataSync()));
    model.setWeights(model.weights.map((w) => tf.onesLike(w.read())));
    ema.update();
    const averaged = await ema.withAverage(() => model.weights.map((w) => w.read().dataSync()));
    averaged.forEach((a, i) => a.forEach((v, j) => expect(v).toBeCloseTo((start[i]![j]! + 1) / 2, 6)));
    expect(model.weights.every((w) => w.read().dataSync().every((v) => v === 1))).toBe(true);
    ema.dispose();
    expect(tf.memory().numTensors).toBe(before + model.weights.length); // the onesLike weights replaced the start ones
  });
});
