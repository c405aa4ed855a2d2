import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@yolo-ts/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelFormatError, defaultModelRegistry, loadModel, saveModel, summarize } from './index.js';

const registry = defaultModelRegistry();
const opts = { imgsz: 28, channels: 1, nc: 10, seed: 1 };

describe('models', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('cnn-small and cnn-bn have the PyTorch anchor parameter counts and logits of width nc', () => {
    const small = summarize(registry.build('cnn-small', opts));
    expect(small.params).toBe(421_642);
    // cnn-bn trainable: convs 288 + 18,432 + 73,728, BN γβ 2·(32+64+128) = 448, dense 1,290 → 94,186 (PyTorch's
    // count); Keras also stores the 448 moving statistics as non-trainable weights.
    const bn = summarize(registry.build('cnn-bn', opts));
    expect(bn.trainableParams).toBe(94_186);
    expect(bn.params).toBe(94_186 + 448);
    // cnn-small MACs: 28²·9·32 + 14²·9·32·64 + 3136·128 + 128·10 = 4,241,152 → 8.48 MFLOPs per image.
    expect(small.gflops).toBeCloseTo(0.008482304, 9);
    const y = tf.tidy(() => registry.build('cnn-small', { ...opts, nc: 7 }).predict(tf.zeros([3, 28, 28, 1])) as tf.Tensor);
    expect(y.shape).toEqual([3, 7]);
    y.dispose();
  });

  it('resolves .yaml/.pt spellings and suggests a near name', () => {
    expect(registry.get('cnn-small.pt').name).toBe('cnn-small');
    expect(() => registry.get('cnn-smal')).toThrow(/unknown model 'cnn-smal'\. Did you mean 'cnn-small'\?/);
  });

  it('save/load round trip gives bit-identical predictions and keeps the metadata', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'yolo-ts-model-')), 'best');
    const model = registry.build('cnn-bn', opts);
    const x = tf.randomUniform([4, 28, 28, 1], 0, 255, 'float32', 3);
    const before = (model.predict(x) as tf.Tensor).dataSync();
    const meta = { architecture: 'cnn-bn', names: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'], imgsz: 28, channels: 1, input: 'uint8-range NHWC' as const, output: 'logits' as const };
    await saveModel(model, dir, meta);
    await saveModel(model, dir, meta); // overwriting leaves exactly one weights file
    expect((await readdir(dir)).sort()).toEqual(['model.json', expect.stringMatching(/^weights\.[0-9a-f]{12}\.bin$/)]);
    const { model: loaded, metadata } = await loadModel(dir);
    const after = (loaded.predict(x) as tf.Tensor).dataSync();
    expect(Buffer.from(after.buffer).equals(Buffer.from(before.buffer))).toBe(true);
    expect(metadata).toEqual(meta);
    await expect(loadModel(join(dir, 'missing'))).rejects.toThrow(/cannot read model/);
  });

  it('a model.json with an unknown layer, or without its weights file, is refused with E_MODEL_FORMAT and one line', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'yolo-ts-model-')), 'best');
    const meta = { architecture: 'cnn-small', names: [...'0123456789'], imgsz: 28, channels: 1, input: 'uint8-range NHWC' as const, output: 'logits' as const };
    await saveModel(registry.build('cnn-small', opts), dir, meta);
    const jsonPath = join(dir, 'model.json');
    const json = JSON.parse(await readFile(jsonPath, 'utf8'));
    const layers = json.modelTopology.config.layers;
    layers[layers.length - 1].class_name = 'SomebodysLayer';
    await writeFile(jsonPath, JSON.stringify(json));
    const refused = await loadModel(dir).catch((e: unknown) => e as ModelFormatError);
    expect(refused).toBeInstanceOf(ModelFormatError);
    expect([refused.code, refused.message.includes('\n')]).toEqual(['E_MODEL_FORMAT', false]);
    expect(refused.message).toMatch(/cannot be rebuilt: Unknown layer: SomebodysLayer/);
    for (const f of await readdir(dir)) if (f.endsWith('.bin')) await rm(join(dir, f));
    await expect(loadModel(dir)).rejects.toThrow(/cannot read the weights file .*weights\.[0-9a-f]{12}\.bin that model\.json lists \(ENOENT\)/);
  });
});
