import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@yolo-ts/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { AttentionHeads, defaultModelRegistry, formatSummary, loadModel, saveModel, summarize } from './index.js';

const registry = defaultModelRegistry();
const imagenet = { imgsz: 224, channels: 3, nc: 1000, seed: 0 };

/** Ultralytics' published sizes of yolo26{n,s,m,l,x}-cls at 224 px, 3 channels, 1000 classes. */
const PUBLISHED = { n: [2_812_104, 0.5], s: [6_724_008, 1.6], m: [11_634_216, 5.0], l: [14_115_624, 6.2], x: [29_637_064, 13.7] } as const;

describe('yolo26-cls', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('matches the published parameter counts and GFLOPs of every scale (224 px, 3 channels, 1000 classes)', () => {
    for (const [scale, [params, gflops]] of Object.entries(PUBLISHED)) {
      const model = registry.build(`yolo26${scale}-cls`, imagenet);
      const s = summarize(model);
      expect(s.trainableParams, scale).toBe(params);
      expect(s.gflops.toFixed(1), scale).toBe(gflops.toFixed(1));
      expect(model.outputs[0]!.shape).toEqual([null, 1000]);
      model.dispose();
    }
  });

  it('yolo26n-cls at 28 px, 1 channel, 10 classes has the PyTorch anchor layer table', () => {
    const s = summarize(registry.build('yolo26n-cls', { imgsz: 28, channels: 1, nc: 10, seed: 0 }));
    expect(s.trainableParams).toBe(1_543_626);
    expect(s.params - s.trainableParams).toBe(10_160); // BatchNorm moving mean and variance
    expect(s.macs).toBe(3_727_296); // conv + dense multiply-adds per image, as the anchor counts them (3.73 M)
    const blocks = (i: number) => s.layers.filter((l) => l.name.startsWith(`model.${i}.`));
    const table = Array.from({ length: 11 }, (_, i) => [blocks(i).at(-1)!.outputShape, blocks(i).reduce((a, l) => a + l.trainableParams, 0)]);
    expect(table).toEqual([
      [[14, 14, 16], 176],
      [[7, 7, 32], 4_672],
      [[7, 7, 64], 6_640],
      [[4, 4, 64], 36_992],
      [[4, 4, 128], 26_080],
      [[2, 2, 128], 147_712],
      [[2, 2, 128], 87_040],
      [[1, 1, 256], 295_424],
      [[1, 1, 256], 346_112],
      [[1, 1, 256], 249_728],
      [[10], 343_050],
    ]);
    expect(formatSummary(s)).toMatch(/yolo26n-cls summary: \d+ layers, 1,543,626 parameters, 1,543,626 gradients \(\+10,160 non-trainable\), 0\.0\d+ GFLOPs at imgsz=28$/);
  });

  it('every scale runs and returns logits of width nc; names resolve with .yaml/.pt spellings', () => {
    for (const scale of 'nsmlx') {
      const y = tf.tidy(() => {
        const model = registry.build(`yolo26${scale}-cls.yaml`, { imgsz: 32, channels: 3, nc: 7, seed: 0 });
        const out = model.predict(tf.randomUniform([2, 32, 32, 3], 0, 255)) as tf.Tensor;
        model.dispose();
        return out;
      });
      expect(y.shape, scale).toEqual([2, 7]);
      expect(Array.from(y.dataSync()).every(Number.isFinite), scale).toBe(true);
      y.dispose();
    }
    expect(registry.get('YOLO26n-cls.pt').name).toBe('yolo26n-cls');
  });

  it('AttentionHeads computes softmax(qᵀk·keyDim^-½) on v with the channel layout of PyTorch view(B, heads, 2·kd + hd, N)', () => {
    const [heads, kd, hd, h, w] = [2, 2, 3, 2, 3];
    const qkv = tf.randomNormal([1, h, w, heads * (2 * kd + hd)], 0, 1, 'float32', 5);
    const [out, v] = new AttentionHeads({ numHeads: heads, keyDim: kd, headDim: hd }).apply(qkv) as tf.Tensor[];
    const a = qkv.arraySync() as number[][][][];
    const at = (n: number, c: number) => a[0]![Math.floor(n / w)]![n % w]![c]!;
    const got = out!.arraySync() as number[][][][];
    const gotV = v!.arraySync() as number[][][][];
    const N = h * w;
    for (let head = 0; head < heads; head++) {
      const base = head * (2 * kd + hd);
      for (let n = 0; n < N; n++) {
        const logits = Array.from({ length: N }, (_, m) => Array.from({ length: kd }, (_, d) => at(n, base + d) * at(m, base + kd + d)).reduce((x, y) => x + y) * kd ** -0.5);
        const e = logits.map((l) => Math.exp(l - Math.max(...logits)));
        const p = e.map((x) => x / e.reduce((s, y) => s + y));
        for (let d = 0; d < hd; d++) {
          const expected = p.reduce((s, pm, m) => s + pm * at(m, base + 2 * kd + d), 0);
          expect(got[0]![Math.floor(n / w)]![n % w]![head * hd + d]).toBeCloseTo(expected, 5);
          expect(gotV[0]![Math.floor(n / w)]![n % w]![head * hd + d]).toBe(at(n, base + 2 * kd + d));
        }
      }
    }
    tf.dispose([qkv, out!, v!]);
  });

  it('save/load round trip (custom layers included) gives bit-identical predictions', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'yolo-ts-yolo26-')), 'best');
    // 40 px leaves a 2×2 last stage, so the attention mixes 4 positions instead of passing one through.
    const model = registry.build('yolo26n-cls', { imgsz: 40, channels: 1, nc: 10, seed: 2 });
    const x = tf.randomUniform([3, 40, 40, 1], 0, 255, 'float32', 4);
    // A few training-mode passes move the BatchNorm statistics off their initial values, so they are checked too.
    for (let i = 0; i < 3; i++) tf.dispose(model.apply(x, { training: true }) as tf.Tensor);
    const before = (model.predict(x) as tf.Tensor).dataSync();
    const names = Array.from({ length: 10 }, (_, i) => String(i));
    await saveModel(model, dir, { architecture: 'yolo26n-cls', names, imgsz: 40, channels: 1, input: 'uint8-range NHWC', output: 'logits' });
    const { model: loaded } = await loadModel(dir);
    const after = (loaded.predict(x) as tf.Tensor).dataSync();
    expect(Buffer.from(after.buffer).equals(Buffer.from(before.buffer))).toBe(true);
    expect(loaded.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
  });
});
