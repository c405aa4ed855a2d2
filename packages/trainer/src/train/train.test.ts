import { readFile, readdir } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { RESULT_COLUMNS } from '../run/results.js';
import { train } from './train.js';
import { val } from '../val/val.js';

describe('train on mnist160 (real MNIST images, wasm)', () => {
  it('writes a run dir with one results.csv row per epoch, falling loss, and reloadable weights', async () => {
    const project = await mkdtemp(join(tmpdir(), 'yolo-ts-train-'));
    const lines: string[] = [];
    const log = (l: string) => lines.push(l);
    const tensorsBefore = tf.memory().numTensors;
    const result = await train({ data: 'mnist160', epochs: 4, project, name: 'train', device: 'wasm', seed: 3 }, { log });
    expect(result.backend).toBe('wasm');
    expect(lines[0]).toMatch(/^backend: wasm/);
    expect(result.saveDir).toBe(join(project, 'train'));
    const csv = (await readFile(join(result.saveDir, 'results.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe(RESULT_COLUMNS.join(','));
    expect(csv).toHaveLength(1 + 4);
    const losses = csv.slice(1).map((r) => Number(r.split(',')[2]));
    expect(losses[3]).toBeLessThan(losses[0]!);
    expect((await readdir(join(result.saveDir, 'weights'))).sort()).toEqual(['best', 'last']);
    expect(await readFile(join(result.saveDir, 'args.yaml'), 'utf8')).toMatch(/^epochs: 4$/m);
    // No tensors leak across a whole run (the model and optimizer are disposed at the end).
    expect(tf.memory().numTensors).toBe(tensorsBefore);

    // Validating the saved best model reproduces the best epoch's accuracy.
    const v = await val({ model: result.weights.best, device: 'wasm' }, { log });
    const best = result.results[result.bestEpoch - 1]!;
    expect(v.split).toBe('test');
    expect(v.metrics.top1).toBeCloseTo(best['metrics/accuracy_top1'], 6);

    // A second run with the same name is numbered.
    const second = await train({ data: 'mnist160', epochs: 1, project, name: 'train', device: 'wasm', verbose: false }, { log });
    expect(second.saveDir).toBe(join(project, 'train2'));
  }, 120_000);

  it('fails early with the dataset suggestion for an unknown name', async () => {
    await expect(train({ data: 'mnist16' }, { log: () => {} })).rejects.toThrow(/unknown dataset 'mnist16'\. Did you mean 'mnist160'\?/);
  });
});
