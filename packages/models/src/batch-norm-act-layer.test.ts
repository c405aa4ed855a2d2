import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@yolo-ts/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchNormAct } from './batch-norm-act-layer.js';
import { loadModel, saveModel } from './io.js';

/** The same block from tfjs-layers' own BatchNormalization + swish, the reference for the fused layer. */
function reference(x: tf.SymbolicTensor) {
  const bn = tf.layers.batchNormalization({ momentum: 0.97, epsilon: 1e-3 }).apply(x) as tf.SymbolicTensor;
  return tf.layers.activation({ activation: 'swish' }).apply(bn) as tf.SymbolicTensor;
}

describe('BatchNormAct layer', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('matches tfjs-layers BatchNormalization + swish in training and inference, moving statistics included', () => {
    const input = tf.input({ shape: [5, 5, 6] });
    const layer = new BatchNormAct({ momentum: 0.97, epsilon: 1e-3, activation: 'silu' });
    const fused = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
    layer.batchesTracked = 100; // past the cumulative start: the plain moving average Keras' layer keeps
    const ref = tf.model({ inputs: input, outputs: reference(input) });
    const gamma = tf.randomUniform([6], 0.5, 1.5, 'float32', 1);
    const beta = tf.randomNormal([6], 0, 1, 'float32', 2);
    fused.setWeights([gamma, beta, tf.zeros([6]), tf.ones([6])]);
    ref.setWeights([gamma, beta, tf.zeros([6]), tf.ones([6])]);
    const x = tf.add(tf.mul(tf.randomNormal([4, 5, 5, 6], 0, 1, 'float32', 3), 2), 0.5);
    const close = (a: tf.Tensor, b: tf.Tensor) => expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-4);
    close(fused.apply(x, { training: true }) as tf.Tensor, ref.apply(x, { training: true }) as tf.Tensor);
    // After one training call both moved their statistics the same way; inference then uses them.
    fused.getWeights().slice(2).forEach((w, i) => close(w, ref.getWeights()[2 + i]!));
    close(fused.predict(x) as tf.Tensor, ref.predict(x) as tf.Tensor);
  });

  it('starts its moving statistics as the cumulative average of the batch statistics, then follows momentum', () => {
    const input = tf.input({ shape: [5, 5, 3] });
    const layer = new BatchNormAct({ momentum: 0.97, epsilon: 1e-3, activation: 'silu' });
    const model = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
    // Batches with small, different spreads: what a conv layer's activations look like early in training.
    const batches = [0.1, 0.2, 0.05].map((std, i) => tf.add(tf.mul(tf.randomNormal([4, 5, 5, 3], 0, 1, 'float32', 10 + i), std), 0.3 * i));
    const moments = batches.map((x) => tf.moments(x, [0, 1, 2]));
    for (const x of batches) model.apply(x, { training: true });
    const [movingMean, movingVariance] = model.getWeights().slice(2).map((w) => w.clone());
    const mean = (ts: tf.Tensor[]) => tf.div(tf.addN(ts), ts.length);
    const close = (a: tf.Tensor, b: tf.Tensor, tol: number) => expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(tol);
    close(movingMean!, mean(moments.map((m) => m.mean)), 1e-5);
    close(movingVariance!, mean(moments.map((m) => m.variance)), 1e-5);
    expect(layer.batchesTracked).toBe(3);
    // Past 1/(1 − momentum) batches it is the plain moving average again.
    layer.batchesTracked = 1000;
    const x = batches[0]!;
    model.apply(x, { training: true });
    close(model.getWeights()[2]!, tf.add(tf.mul(movingMean!, 0.97), tf.mul(moments[0]!.mean, 0.03)), 1e-5);
  });

  it('survives save and load with its config and weights', async () => {
    const input = tf.input({ shape: [3, 3, 2] });
    const model = tf.model({ inputs: input, outputs: new BatchNormAct({ momentum: 0.9, epsilon: 1e-5, activation: 'linear', name: 'b' }).apply(input) as tf.SymbolicTensor });
    model.setWeights([tf.tensor1d([2, 3]), tf.tensor1d([1, -1]), tf.tensor1d([0.5, 0.25]), tf.tensor1d([4, 9])]);
    const dir = join(await mkdtemp(join(tmpdir(), 'yolo-ts-bn-')), 'm');
    await saveModel(model, dir, { architecture: 'test', names: ['a', 'b'], imgsz: 3, channels: 2, input: 'uint8-range NHWC', output: 'logits' });
    const { model: loaded } = await loadModel(dir);
    const layer = loaded.getLayer('b') as BatchNormAct;
    expect([layer.momentum, layer.epsilon, layer.activation]).toEqual([0.9, 1e-5, 'linear']);
    const x = tf.randomNormal([2, 3, 3, 2], 0, 1, 'float32', 4);
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((model.predict(x) as tf.Tensor).dataSync()));
  });
});
