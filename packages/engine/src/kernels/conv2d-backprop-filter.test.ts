import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend.js';

type Case = { n: number; h: number; w: number; ci: number; co: number; k: number; s: number; pad: 'same' | 'valid' };

const CASES: Case[] = [
  { n: 1, h: 5, w: 5, ci: 1, co: 2, k: 3, s: 1, pad: 'same' },
  { n: 3, h: 7, w: 6, ci: 2, co: 3, k: 3, s: 2, pad: 'same' },
  { n: 2, h: 9, w: 8, ci: 3, co: 5, k: 3, s: 2, pad: 'valid' },
  { n: 5, h: 6, w: 7, ci: 4, co: 2, k: 1, s: 1, pad: 'valid' },
  { n: 2, h: 8, w: 8, ci: 3, co: 4, k: 5, s: 3, pad: 'same' },
];

/** dL/dW of sum(conv2d(x, w) · r) for fixed random x, w, r, computed on the active backend. */
function filterGrad(c: Case, seed: number): Float32Array {
  return tf.tidy(() => {
    const x = tf.randomNormal([c.n, c.h, c.w, c.ci], 0, 1, 'float32', seed);
    const w = tf.randomNormal([c.k, c.k, c.ci, c.co], 0, 1, 'float32', seed + 1);
    const y = tf.conv2d(x, w, c.s, c.pad);
    const r = tf.randomNormal(y.shape, 0, 1, 'float32', seed + 2);
    const g = tf.grad((wv: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, wv as tf.Tensor4D, c.s, c.pad), r)))(w);
    return g.dataSync() as Float32Array;
  });
}

describe('Conv2DBackpropFilter on wasm', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it.each(CASES)('matches the cpu backend for %o', async (c) => {
    await tf.setBackend('cpu');
    const expected = filterGrad(c, 7);
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const actual = filterGrad(c, 7);
    expect(tf.memory().numTensors).toBe(before);
    expect(actual.length).toBe(expected.length);
    let maxErr = 0;
    for (let i = 0; i < actual.length; i++) maxErr = Math.max(maxErr, Math.abs(actual[i]! - expected[i]!) / (1 + Math.abs(expected[i]!)));
    expect(maxErr).toBeLessThan(1e-4);
  });
});
