import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend.js';
import { Adam } from '../ops/adam.js';
import { convBiasAct } from '../ops/conv-bias-act.js';
import { copyInto } from '../ops/copy-into.js';
import { emaUpdate } from '../ops/ema.js';
import { batchNormAct, batchNormActInference } from '../ops/batch-norm-act.js';

/**
 * Every kernel yolo-ts registers on wasm is checked against tfjs' cpu backend on the same inputs (gradients
 * through tf.grad, so the kernels run exactly as in training), on odd shapes, strides, paddings and batches.
 */
async function onBoth(fn: () => tf.Tensor | tf.Tensor[]): Promise<{ cpu: Float32Array[]; wasm: Float32Array[] }> {
  const run = () => {
    const before = tf.memory().numTensors;
    const out = tf.tidy(() => [fn()].flat().map((t) => t.dataSync() as Float32Array));
    expect(tf.memory().numTensors).toBe(before);
    return out;
  };
  await tf.setBackend('cpu');
  const cpu = run();
  await tf.setBackend('wasm');
  return { cpu, wasm: run() };
}

function expectClose({ cpu, wasm }: { cpu: Float32Array[]; wasm: Float32Array[] }, tol = 1e-4) {
  expect(wasm.length).toBe(cpu.length);
  cpu.forEach((c, k) => {
    const w = wasm[k]!;
    expect(w.length).toBe(c.length);
    let err = 0;
    for (let i = 0; i < c.length; i++) err = Math.max(err, Math.abs(w[i]! - c[i]!) / (1 + Math.abs(c[i]!)));
    expect(err).toBeLessThan(tol);
  });
}

const rnd = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

describe('wasm training kernels match the cpu backend', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  type Conv = { n: number; h: number; w: number; ci: number; co: number; k: number; s: number; pad: 'same' | 'valid' };
  const convs: Conv[] = [
    { n: 1, h: 5, w: 5, ci: 1, co: 2, k: 3, s: 1, pad: 'same' },
    { n: 3, h: 7, w: 6, ci: 2, co: 3, k: 3, s: 2, pad: 'same' },
    { n: 2, h: 9, w: 8, ci: 3, co: 5, k: 3, s: 2, pad: 'valid' },
    { n: 5, h: 6, w: 7, ci: 4, co: 2, k: 1, s: 1, pad: 'valid' },
    { n: 2, h: 8, w: 8, ci: 3, co: 4, k: 5, s: 3, pad: 'same' },
    { n: 4, h: 14, w: 14, ci: 16, co: 8, k: 3, s: 2, pad: 'same' },
    // dW routes: short patch (K ≤ 32), then native gemm for K ≤ 128 (and the XNNPACK ones below).
    { n: 3, h: 10, w: 10, ci: 1, co: 32, k: 3, s: 2, pad: 'same' },
    { n: 2, h: 6, w: 6, ci: 4, co: 40, k: 3, s: 1, pad: 'same' },
    // Maps smaller than the kernel, where only some taps are live (live-taps.ts): 1×1, 2×2 stride 2, 1×2, 3×3 k5.
    { n: 3, h: 1, w: 1, ci: 8, co: 16, k: 3, s: 1, pad: 'same' },
    { n: 2, h: 2, w: 2, ci: 16, co: 8, k: 3, s: 2, pad: 'same' },
    { n: 2, h: 1, w: 2, ci: 6, co: 5, k: 3, s: 1, pad: 'same' },
    { n: 2, h: 3, w: 3, ci: 2, co: 3, k: 5, s: 1, pad: 'same' },
    { n: 2, h: 1, w: 1, ci: 1, co: 16, k: 3, s: 1, pad: 'same' },
    // Native gemm (few output positions): im2col with K = 360 > one 256-deep chunk, M = 45 and Co = 24 leaving
    // row and column tails; a 1×1 conv straight on x.
    { n: 3, h: 5, w: 3, ci: 40, co: 24, k: 3, s: 1, pad: 'same' },
    { n: 3, h: 3, w: 3, ci: 20, co: 19, k: 1, s: 1, pad: 'valid' },
    { n: 2, h: 3, w: 3, ci: 36, co: 10, k: 1, s: 1, pad: 'same' },
    // dW through XNNPACK on 2+ threads (K > 128 rows): Co ≤ K above (K = 360); Co > K here.
    { n: 1, h: 3, w: 3, ci: 16, co: 160, k: 3, s: 1, pad: 'same' },
    // Split between threads (vitest.config.ts lowers the threshold): im2col, gemm and col2im (K = 288, M = 800),
    // and a short-patch conv.
    { n: 2, h: 20, w: 20, ci: 32, co: 16, k: 3, s: 1, pad: 'same' },
    { n: 2, h: 28, w: 28, ci: 1, co: 16, k: 3, s: 1, pad: 'same' },
  ];
  it.each(convs)('Conv2D, FusedConv2D (bias, ReLU) and both conv gradients for %o', async (c) => {
    const result = await onBoth(() => {
      const x = rnd([c.n, c.h, c.w, c.ci], 1);
      const w = rnd([c.k, c.k, c.ci, c.co], 2);
      const bias = rnd([c.co], 4);
      const y = tf.conv2d(x, w as tf.Tensor4D, c.s, c.pad);
      const r = rnd(y.shape, 3);
      const fused = (xv: tf.Tensor, wv: tf.Tensor, bv: tf.Tensor) =>
        tf.fused.conv2d({ x: xv as tf.Tensor4D, filter: wv as tf.Tensor4D, strides: c.s, pad: c.pad, bias: bv, activation: 'relu' });
      const f = (xv: tf.Tensor, wv: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xv as tf.Tensor4D, wv as tf.Tensor4D, c.s, c.pad), r));
      const g = (xv: tf.Tensor, wv: tf.Tensor, bv: tf.Tensor) => tf.sum(tf.mul(fused(xv, wv, bv), r));
      return [y, fused(x, w, bias), ...tf.grads(f)([x, w]), ...tf.grads(g)([x, w, bias])];
    });
    expectClose(result);
  });

  it.each([
    { n: 2, h: 5, w: 6, c: 3, mult: 1, k: 3, s: 1, pad: 'same' as const },
    { n: 3, h: 7, w: 7, c: 4, mult: 2, k: 3, s: 2, pad: 'valid' as const },
    { n: 2, h: 1, w: 1, c: 8, mult: 1, k: 3, s: 1, pad: 'same' as const },
  ])('depthwise conv gradients (missing on wasm) for %o', async (d) => {
    const result = await onBoth(() => {
      const x = rnd([d.n, d.h, d.w, d.c], 40);
      const w = rnd([d.k, d.k, d.c, d.mult], 41);
      const r = rnd(tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, d.s, d.pad).shape, 42);
      const f = (xv: tf.Tensor, wv: tf.Tensor) => tf.sum(tf.mul(tf.depthwiseConv2d(xv as tf.Tensor4D, wv as tf.Tensor4D, d.s, d.pad), r));
      return tf.grads(f)([x, w]);
    });
    expectClose(result);
  });

  it.each([
    { shape: [2, 8, 8, 3], k: 2, s: 2, pad: 'valid' as const },
    { shape: [2, 7, 9, 5], k: 2, s: 2, pad: 'valid' as const },
    { shape: [3, 7, 9, 4], k: 3, s: 2, pad: 'same' as const },
    { shape: [1, 5, 5, 2], k: 3, s: 1, pad: 'same' as const },
  ])('MaxPoolGrad for %o, ties included', async ({ shape, k, s, pad }) => {
    const result = await onBoth(() => {
      // Rounded values make ties in windows: the first maximum must get the gradient, as in TensorFlow.
      const x = tf.round(tf.mul(rnd(shape, 4), 1.5));
      const r = rnd(tf.maxPool(x as tf.Tensor4D, k, s, pad).shape, 5);
      return tf.grad((xv: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(xv as tf.Tensor4D, k, s, pad), r)))(x);
    });
    expectClose(result);
  });

  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])('BatchMatMul transposeA=%s transposeB=%s, 2-D and batched', async (ta, tb) => {
    const result = await onBoth(() => {
      const a = rnd(ta ? [7, 5] : [5, 7], 6);
      const b = rnd(tb ? [3, 7] : [7, 3], 7);
      const a3 = rnd(ta ? [2, 7, 5] : [2, 5, 7], 8);
      const b3 = rnd(tb ? [2, 3, 7] : [2, 7, 3], 9);
      // A short a against a long b makes (b·aᵀ)ᵀ the cheaper formulation of a·bᵀ: both paths run.
      const short = rnd(ta ? [4, 2] : [2, 4], 33);
      const long = rnd(tb ? [50, 4] : [4, 50], 34);
      // Native gemm's tails and chunks: 9 rows (2 blocks of 4 + 1), 21 columns (2 panels of 8 + 5), K = 300.
      const tall = rnd(ta ? [300, 9] : [9, 300], 35);
      const wide = rnd(tb ? [21, 300] : [300, 21], 36);
      // Products split between threads by rows (64 rows) and by columns (12 rows).
      const [rows64, rows12] = [rnd(ta ? [300, 64] : [64, 300], 37), rnd(ta ? [300, 12] : [12, 300], 38)];
      const [cols130, cols700] = [rnd(tb ? [130, 300] : [300, 130], 39), rnd(tb ? [700, 300] : [300, 700], 40)];
      return [
        tf.matMul(tall, wide, ta, tb),
        tf.matMul(rows64, cols130, ta, tb),
        tf.matMul(rows12, cols700, ta, tb),
        tf.matMul(a, b, ta, tb),
        tf.matMul(a3, b3, ta, tb),
        tf.matMul(short, long, ta, tb),
        ...tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.matMul(p, q, ta, tb)))([a, b]),
      ];
    });
    expectClose(result);
  });

  it('Slice, SplitV and Concat on ranks 1–4 and every axis, and their gradients', async () => {
    const result = await onBoth(() => {
      const x4 = rnd([3, 5, 4, 7], 60);
      const [a, b, c] = [rnd([3, 5, 4, 2], 61), rnd([3, 5, 4, 5], 62), rnd([3, 5, 4, 1], 63)];
      const r = rnd([3, 5, 4, 8], 64);
      return [
        tf.slice(x4, [1, 0, 2, 3], [2, 5, 2, 3]),
        tf.slice(x4, [0, 0, 0, 4], [-1, -1, -1, 3]),
        tf.slice(rnd([9], 65), [2], [5]),
        tf.slice(rnd([4, 6], 66), [1, 2], [2, 3]),
        tf.slice(rnd([2, 3, 6], 67), [1, 1, 0], [1, 2, 6]),
        ...tf.split(x4, [2, 5], 3),
        ...tf.split(x4, [1, 2], 0),
        ...tf.split(x4, [4, 1], 1),
        tf.concat([a, b, c], 3),
        tf.concat([a, a], 0),
        tf.concat([rnd([3, 2, 4, 7], 68), x4], 1),
        tf.concat([rnd([2, 3], 69), rnd([2, 4], 70)], 1),
        ...tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.concat([tf.slice(p, [0, 0, 0, 1], [-1, -1, -1, 3]), q], 3), r)))([x4, b]),
      ];
    });
    expectClose(result);
  });

  it('Tile: end-to-end repeats and general tilings', async () => {
    const result = await onBoth(() => [
      tf.tile(rnd([1, 1, 1, 5], 10), [3, 4, 2, 1]),
      tf.tile(rnd([1, 6], 11), [7, 1]),
      tf.tile(rnd([2, 3], 12), [2, 3]),
      tf.tile(rnd([3, 1], 13), [1, 4]),
    ]);
    expectClose(result);
  });

  it('Sum and Mean over leading axes, other axes, keepDims', async () => {
    const result = await onBoth(() => {
      const x = rnd([4, 5, 6, 3], 14);
      return [
        tf.sum(x, [0, 1, 2]),
        tf.mean(x, [0, 1, 2], true),
        tf.sum(x, 0),
        tf.mean(x, [0, 1]),
        tf.sum(x, [1, 2]),
        tf.sum(x, -1),
        tf.sum(x),
      ];
    });
    expectClose(result);
  });

  it('BatchNorm + SiLU training gradients (the kernels of a Conv-BN-SiLU block)', async () => {
    const result = await onBoth(() => {
      const x = rnd([6, 5, 5, 4], 15);
      const gamma = rnd([4], 16);
      const beta = rnd([4], 17);
      const f = (xv: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(xv, [0, 1, 2]);
        const y = tf.batchNorm(xv, mean, variance, b, g, 1e-3);
        return tf.sum(tf.mul(y, tf.sigmoid(y)));
      };
      return tf.grads(f)([x, gamma, beta]);
    });
    expectClose(result, 5e-4);
  });
});

describe('batchNormAct (fused training BatchNorm + SiLU)', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it.each([
    ['linear', [6, 5, 7, 4]],
    ['silu', [6, 5, 7, 4]],
    ['silu', [16, 16, 16, 4]], // 4096 rows: the forward pass splits between threads into bigger parts
  ] as const)('%s on %j: wasm kernels give the composite ops’ values and gradients', async (act, shape) => {
    const result = await onBoth(() => {
      const x = tf.add(tf.mul(rnd([...shape], 20), 3), 1.5);
      const gamma = tf.add(rnd([4], 21), 1) as tf.Tensor1D;
      const beta = rnd([4], 22) as tf.Tensor1D;
      const r = rnd(x.shape, 23);
      const moving = { mean: rnd([4], 24) as tf.Tensor1D, variance: tf.abs(rnd([4], 25)) as tf.Tensor1D, momentum: 0.9 };
      const f = (xv: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(batchNormAct(xv, g as tf.Tensor1D, b as tf.Tensor1D, 1e-3, act, moving).y, r));
      const { movingMean, movingVariance, y } = batchNormAct(x, gamma, beta, 1e-3, act, moving);
      // With momentum 0 the moving averages become the batch's own mean and biased variance.
      const batch = batchNormAct(x, gamma, beta, 1e-3, act, { ...moving, momentum: 0 });
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      const inference = batchNormActInference(x, tf.add(movingMean, 0.1) as tf.Tensor1D, tf.mul(movingVariance, 2) as tf.Tensor1D, gamma, beta, 1e-3, act);
      return [y, movingMean, movingVariance, batch.movingMean, batch.movingVariance, mean, variance, inference, ...tf.grads(f)([x, gamma, beta])];
    });
    expectClose(result, 2e-4);
  });
});

describe('convBiasAct (inference conv with bias and activation fused)', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it.each([
    { n: 2, h: 9, w: 9, ci: 1, co: 16, k: 3, s: 2, pad: 'same' as const }, // short patch
    { n: 3, h: 7, w: 6, ci: 8, co: 12, k: 3, s: 1, pad: 'valid' as const }, // im2col + gemm, column tail
    { n: 2, h: 4, w: 4, ci: 20, co: 24, k: 1, s: 1, pad: 'same' as const }, // 1×1 on x itself
    { n: 8, h: 16, w: 16, ci: 8, co: 16, k: 3, s: 1, pad: 'same' as const }, // 2048 rows: XNNPACK's conv, then SiLU
    { n: 3, h: 16, w: 16, ci: 64, co: 8, k: 3, s: 1, pad: 'same' as const }, // K = 576: im2col one image at a time
  ])('matches tfjs ops for SiLU, ReLU and linear on %o', async (c) => {
    const result = await onBoth(() => {
      const x = rnd([c.n, c.h, c.w, c.ci], 50) as tf.Tensor4D;
      const w = rnd([c.k, c.k, c.ci, c.co], 51) as tf.Tensor4D;
      const b = rnd([c.co], 52) as tf.Tensor1D;
      return (['silu', 'relu', 'linear'] as const).map((act) => convBiasAct(x, w, b, c.s, c.pad, act));
    });
    expectClose(result);
  });
});

describe('Adam (fused update on wasm)', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  /** Three steps of `make()` on a quadratic loss from fixed weights; returns the final weights. */
  function steps(make: () => tf.Optimizer): Float32Array[] {
    // w3 (160k floats): an update split between threads into many-element parts.
    const [w1, w2, w3] = tf.tidy(() => [tf.variable(rnd([7, 3], 30)), tf.variable(rnd([5], 31)), tf.variable(rnd([400, 400], 33))]);
    const target = rnd([7, 3], 32);
    const opt = make();
    for (let i = 0; i < 3; i++) opt.minimize(() => tf.addN([tf.sum(tf.square(tf.sub(w1, target))), tf.sum(tf.mul(w2, w2)), tf.sum(tf.sin(w3))]) as tf.Scalar);
    const out = [w1, w2, w3].map((w) => w.dataSync() as Float32Array);
    opt.dispose();
    tf.dispose([w1, w2, w3, target]);
    return out;
  }

  it('follows tfjs’ own Adam (the same formula) computed on the cpu backend', async () => {
    await tf.setBackend('cpu');
    const reference = steps(() => tf.train.adam(0.05, 0.9, 0.999, 1e-8));
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const fused = steps(() => new Adam(0.05));
    expect(tf.memory().numTensors).toBe(before);
    expectClose({ cpu: reference, wasm: fused }, 1e-5);
  });

  it('with weightDecay is AdamW: decoupled decay on kernels (rank ≥ 2) only, the same fused and in tfjs ops', async () => {
    // One step from m = v = 0: m̂ = g and v̂ = g², so w' = (1 − lr·wd)·w − lr·g / (|g| + ε).
    const lr = 0.01;
    const wd = 0.5;
    const run = () => {
      const k = tf.variable(tf.tensor2d([[1, -2], [3, 4]]));
      const b = tf.variable(tf.tensor1d([1, -2]));
      const opt = new Adam(lr, 0.9, 0.999, 1e-8, wd);
      opt.minimize(() => tf.add(tf.sum(tf.mul(k, 3)), tf.sum(tf.mul(b, 3))) as tf.Scalar); // g = 3 everywhere
      const out = [k.dataSync(), b.dataSync()].map((a) => Array.from(a));
      opt.dispose();
      tf.dispose([k, b]);
      return out;
    };
    const expected = [[1, -2, 3, 4].map((w) => (1 - lr * wd) * w - lr * (3 / (3 + 1e-8))), [1, -2].map((w) => w - lr * (3 / (3 + 1e-8)))];
    await tf.setBackend('cpu');
    const plain = run();
    await tf.setBackend('wasm');
    const fused = run();
    for (const got of [plain, fused]) got.flat().forEach((v, i) => expect(v).toBeCloseTo(expected.flat()[i]!, 6));
  });

  it('restores its state through getWeights/setWeights', async () => {
    const w = tf.variable(tf.tensor1d([1, -2, 3]));
    const loss = () => tf.sum(tf.square(w)) as tf.Scalar;
    const a = new Adam(0.1);
    a.minimize(loss);
    a.minimize(loss);
    const b = new Adam(0.1);
    await b.setWeights(await a.getWeights());
    const saved = w.clone();
    a.minimize(loss);
    const afterA = w.dataSync().slice();
    w.assign(saved);
    b.minimize(loss);
    expect(Array.from(w.dataSync())).toEqual(Array.from(afterA));
    tf.dispose([w, saved]);
    a.dispose();
    b.dispose();
  });
});

describe('emaUpdate', () => {
  it('moves the average toward the weights by 1 − d, fused on wasm as in tfjs ops on cpu', async () => {
    for (const backend of ['cpu', 'wasm']) {
      await selectBackend(backend as 'cpu' | 'wasm');
      const ema = tf.variable(tf.tensor1d([1, 2, 3, 4, 5]));
      const w = tf.tensor1d([11, 2, -7, 4, 0]);
      const before = tf.memory().numTensors;
      emaUpdate(ema, w, 0.9);
      expect(tf.memory().numTensors).toBe(before);
      Array.from(ema.dataSync()).forEach((v, i) => expect(v).toBeCloseTo([2, 2, 2, 4, 4.5][i]!, 5));
      tf.dispose([ema, w]);
    }
  });
});

describe('copyInto', () => {
  it('copies a tensor’s values into an array at an offset on wasm and cpu alike', async () => {
    for (const backend of ['cpu', 'wasm'] as const) {
      await selectBackend(backend);
      const t = tf.tidy(() => tf.add(tf.tensor2d([[1, 2], [3, 4]]), 0.5));
      const out = new Float32Array(7);
      copyInto(t, out, 2);
      expect(Array.from(out)).toEqual([0, 0, 1.5, 2.5, 3.5, 4.5, 0]);
      t.dispose();
    }
  });
});

describe('Identity on wasm', () => {
  it('shares the buffer by reference count: the copy outlives its source and frees with it', async () => {
    await selectBackend('wasm');
    const buffers = () => tf.backend().numDataIds();
    const before = buffers();
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const y = tf.clone(x); // runs the Identity kernel
    expect(buffers() - before).toBe(1); // one buffer, not two
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
    y.dispose();
    expect(buffers()).toBe(before);
  });
});
