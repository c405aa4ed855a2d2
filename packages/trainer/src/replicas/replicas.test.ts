import { mkdtemp } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ModelRegistry, defaultModelRegistry, loadModel } from '@yolo-ts/models';
import { describe, expect, it } from 'vitest';
import { partition, shardOf } from './replica-sync.js';
import { replicaCount } from './replicas.js';
import { train } from '../train/train.js';

describe('data-parallel replicas', () => {
  it('train as one process does: gradients averaged over shards equal the whole batch’s (no BatchNorm, no augmentation)', async () => {
    const project = await mkdtemp(join(tmpdir(), 'yolo-ts-replicas-'));
    // Ultralytics' auto optimizer, not mnist160's lr0 0.002: a bound on float drift, which grows with the steps' size.
    const settings = { data: 'mnist160', model: 'cnn-small', epochs: 2, batch: 20, device: 'wasm', project, translate: 0, degrees: 0, optimizer: 'auto', warmup_epochs: 3, verbose: false, val: false };
    const lines: string[] = [];
    const one = await train({ ...settings, replicas: 1, name: 'one' }, { log: () => {} });
    const three = await train({ ...settings, replicas: 3, name: 'three' }, { log: (l) => lines.push(l) });
    expect(lines.find((l) => l.startsWith('optimizer:'))).toMatch(/3 replicas \(1 thread each\)$/);
    for (const [a, b] of one.results.map((r, i) => [r, three.results[i]!])) {
      expect(b['train/loss']).toBeCloseTo(a['train/loss'], 4);
      expect(b['lr/pg0']).toBe(a['lr/pg0']);
    }
    const [w1, w3] = await Promise.all([loadModel(one.weights.last), loadModel(three.weights.last)]);
    const flat = (m: typeof w1) => m.model.getWeights().flatMap((t) => Array.from(t.dataSync()));
    const [a, b] = [flat(w1), flat(w3)];
    expect(b).toHaveLength(a.length);
    expect(a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0)).toBeLessThan(1e-4);
    expect(three.results[1]!['metrics/accuracy_top1']).toBeCloseTo(one.results[1]!['metrics/accuracy_top1'], 2);
  }, 120_000);

  it('stop the run with one clear error when a replica cannot rebuild the model, and leave no tensors behind', async () => {
    // A layer registered in this thread only: the replicas' fresh threads cannot deserialise it.
    class ThisThreadOnly extends tf.layers.Layer {
      static readonly className = 'ThisThreadOnly';
      override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
        return Array.isArray(inputs) ? inputs[0]! : inputs;
      }
    }
    tf.serialization.registerClass(ThisThreadOnly);
    const models = new ModelRegistry([
      {
        name: 'odd',
        description: 'cnn-small behind a layer only this thread knows',
        build: (o) => {
          const inner = defaultModelRegistry().build('cnn-small', o);
          const x = tf.input({ shape: [o.imgsz, o.imgsz, o.channels] });
          return tf.model({ inputs: x, outputs: inner.apply(new ThisThreadOnly({}).apply(x)) as tf.SymbolicTensor });
        },
      },
    ]);
    const project = await mkdtemp(join(tmpdir(), 'yolo-ts-replicas-'));
    const before = tf.memory().numTensors;
    await expect(train({ data: 'mnist160', model: 'odd', replicas: 2, device: 'wasm', project, verbose: false }, { models, log: () => {} })).rejects.toThrow(
      /^a training replica could not start: .*ThisThreadOnly.* \(replicas=1 trains in this thread\)$/s,
    );
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('are one per core on wasm by default, never more than the batch, and refused on tfjs-node', () => {
    expect(replicaCount(0, 'cpu', 64)).toBe(1);
    expect(replicaCount(4, 'wasm', 2)).toBe(2);
    expect(replicaCount(3, 'cpu', 64)).toBe(3);
    expect(() => replicaCount(2, 'tensorflow', 64)).toThrow(/replicas=2 needs device=wasm/);
    // deterministic: 2 replicas where replicas pay off, whatever the core count (the count changes what is computed).
    expect(replicaCount(0, 'wasm', 256, undefined, true)).toBe(2);
    expect(replicaCount(0, 'wasm', 32, undefined, true)).toBe(1);
    // auto keeps one process where each replica would get fewer than 32 images or too little work per parameter
    const cores = availableParallelism();
    const yolo26n = { macs: 3_727_296, params: 1_543_626 };
    const share = (batch: number) => batch / cores;
    expect(replicaCount(0, 'wasm', 256, yolo26n)).toBe(cores > 1 && share(256) >= 32 && (share(256) * yolo26n.macs) / yolo26n.params >= 150 ? cores : 1);
    expect(replicaCount(0, 'wasm', 256)).toBe(cores > 1 && share(256) >= 32 ? cores : 1);
    // where the compiled step would run, it splits the batch itself
    expect(replicaCount(0, 'wasm', 256, { ...yolo26n, compiled: true })).toBe(1);
    expect(replicaCount(2, 'wasm', 256, { ...yolo26n, compiled: true })).toBe(2);
    expect(replicaCount(0, 'wasm', 64, yolo26n)).toBe(cores > 1 && (share(64) * yolo26n.macs) / yolo26n.params >= 150 ? cores : 1);
    expect(replicaCount(0, 'wasm', 16)).toBe(1);
    expect(replicaCount(2, 'wasm', 16)).toBe(2); // asked for explicitly
  });

  it('split batches into near-equal shards and weights into balanced shares', () => {
    expect([0, 1, 2].map((k) => shardOf(100, 164, k, 3))).toEqual([[100, 121], [121, 142], [142, 164]]);
    expect(shardOf(0, 1, 0, 2)).toEqual([0, 0]); // a replica may get no image of a short last batch
    const sizes = [9, 1, 4, 4, 1, 1];
    const shares = partition(sizes, 2);
    expect(shares.flat().sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(shares.map((s) => s.reduce((a, i) => a + sizes[i]!, 0))).toEqual([10, 10]);
  });
});
