import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@yolo-ts/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultModelRegistry } from './index.js';

/**
 * BatchNorm shifts whose gradient is zero by construction in training mode: each adds a per-channel constant on
 * C2PSA's attention branch, and the path from there to the next BatchNorm (residual adds, attention rows that sum
 * to 1, 1×1 convs, no activation) is linear, so that BatchNorm's batch mean removes it. Ultralytics' PyTorch
 * model has the same property; these gradients come out as rounding noise (~1e-9).
 */
const CONSTANT_SHIFTS = /^model\.9\.m\.0\.(attn\.pe|attn\.proj|ffn\.1)\.bn\/beta(_\d+)?$/;

describe('yolo26n-cls gradients', () => {
  beforeAll(async () => {
    // Needs engine's wasm kernels: Conv2DBackpropFilter and the depthwise `pe` conv's two gradients.
    await selectBackend('wasm');
  });

  it('reach every trainable variable', () => {
    // 40 px leaves a 2×2 last stage, so q and k matter (at 1×1 the softmax over one position is constant).
    const model = defaultModelRegistry().build('yolo26n-cls', { imgsz: 40, channels: 1, nc: 10, seed: 1 });
    const x = tf.randomUniform([4, 40, 40, 1], 0, 255, 'float32', 7);
    const y = tf.oneHot(tf.tensor1d([1, 4, 7, 9], 'int32'), 10);
    const { value, grads } = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
      model.trainableWeights.map((w) => w.read() as tf.Variable),
    );
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    expect(Object.keys(grads).sort()).toEqual(model.trainableWeights.map((w) => w.read().name).sort());
    const largest = Object.fromEntries(Object.entries(grads).map(([name, g]) => [name, tf.max(tf.abs(g)).dataSync()[0]!]));
    const live = Object.entries(largest).filter(([name]) => !CONSTANT_SHIFTS.test(name));
    expect(live.filter(([, m]) => !(m > 1e-6 && Number.isFinite(m)))).toEqual([]);
    expect(Object.keys(largest).filter((name) => CONSTANT_SHIFTS.test(name))).toHaveLength(3);
    expect(Object.entries(largest).filter(([name, m]) => CONSTANT_SHIFTS.test(name) && m > 1e-6)).toEqual([]);
  });
});
