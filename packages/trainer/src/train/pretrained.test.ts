import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { encodePng } from '@yolo-ts/core-data';
import { selectBackend } from '@yolo-ts/engine';
import { cnnSmall, transferWeights } from '@yolo-ts/models';
import { pretrainedWeights } from '@yolo-ts/weights';
import { beforeAll, describe, expect, it } from 'vitest';
import { train } from './train.js';

/** A folder dataset of `classes` classes (train/ and val/, `perClass` 28×28 PNGs each), as EMNIST letters is shaped. */
async function letterFolders(classes: number, perClass: number): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'yolo-ts-letters-'));
  let seed = 1;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  for (const split of ['train', 'val']) {
    for (let c = 0; c < classes; c++) {
      const dir = join(root, split, String.fromCharCode(97 + c));
      await mkdir(dir, { recursive: true });
      for (let i = 0; i < perClass; i++) {
        // A bar whose position and angle depend on the class, plus noise: learnable, not trivial.
        const px = new Uint8Array(28 * 28).map((_, k) => {
          const [x, y] = [k % 28, Math.floor(k / 28)];
          return Math.abs((x - 14) * Math.cos(c / 4) + (y - 14) * Math.sin(c / 4) - (c % 5) * 2) < 2 ? 200 + 55 * random() : 30 * random();
        });
        await writeFile(join(dir, `${i}.png`), encodePng(px, 28, 28, 1));
      }
    }
  }
  return root;
}

describe('pretrained weights and transfer', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('transfers weights by name and shape, keeping a head of another size as initialised', () => {
    const source = cnnSmall.build({ imgsz: 28, channels: 1, nc: 10, seed: 1 });
    const target = cnnSmall.build({ imgsz: 28, channels: 1, nc: 26, seed: 2 });
    const headBefore = target.weights.at(-2)!.read().clone();
    const report = transferWeights(target, source);
    expect(report.total).toBe(target.weights.length);
    expect(report.kept).toEqual(target.weights.slice(-2).map((w) => w.originalName));
    expect(report.transferred).toBe(report.total - 2);
    target.weights.slice(0, -2).forEach((w, i) => expect(Array.from(w.read().dataSync())).toEqual(Array.from(source.weights[i]!.read().dataSync())));
    expect(Array.from(target.weights.at(-2)!.read().dataSync())).toEqual(Array.from(headBefore.dataSync()));
    // The target owns its values: changing the source does not change it.
    const first = target.weights[0]!.read().dataSync()[0];
    source.weights[0]!.write(tf.zerosLike(source.weights[0]!.read()));
    expect(target.weights[0]!.read().dataSync()[0]).toBe(first);
    tf.dispose([source, target, headBefore] as unknown as tf.Tensor[]);
  });

  it('ships yolo26n-cls weights trained on the MNIST training split', () => {
    const w = pretrainedWeights('yolo26n-cls');
    expect(w?.source).toMatch(/MNIST training split only/);
    expect(pretrainedWeights('cnn-small')).toBeUndefined();
  });

  it("the seed's quick test: model=yolo26n-cls.pt learns mnist160 in 5 epochs", async () => {
    const lines: string[] = [];
    const project = await mkdtemp(join(tmpdir(), 'yolo-ts-pretrained-'));
    const result = await train({ data: 'mnist160', model: 'yolo26n-cls.pt', epochs: 5, imgsz: 28, project, device: 'wasm' }, { log: (l) => lines.push(l) });
    expect(lines.filter((l) => l.startsWith('Pretrained weights: @yolo-ts/weights yolo26n-cls'))).toHaveLength(1);
    const transferred = lines.find((l) => l.startsWith('Transferred'))!.match(/^Transferred (\d+)\/(\d+) items from pretrained weights$/)!;
    expect(transferred[1]).toBe(transferred[2]);
    expect(result.results.at(-1)!['metrics/accuracy_top1']).toBeGreaterThanOrEqual(0.9);
  }, 120_000);

  it('model=yolo26n-cls.pt on a 26-class dataset: new head, every other tensor transferred, training proceeds', async () => {
    const data = await letterFolders(26, 3);
    const lines: string[] = [];
    const project = await mkdtemp(join(tmpdir(), 'yolo-ts-transfer-'));
    const result = await train({ data, model: 'yolo26n-cls.pt', epochs: 2, batch: 26, project, device: 'wasm', verbose: false }, { log: (l) => lines.push(l) });
    const [, n, total, kept] = lines.find((l) => l.startsWith('Transferred'))!.match(/^Transferred (\d+)\/(\d+) items from pretrained weights \(kept as initialised: (.*)\)$/)!;
    expect(Number(n)).toBe(Number(total) - 2);
    expect(kept).toBe('model.10.linear/kernel, model.10.linear/bias');
    expect(result.results).toHaveLength(2);
    expect(result.results.every((r) => Number.isFinite(r['train/loss']) && Number.isFinite(r['val/loss']))).toBe(true);

    // pretrained=path starts a fresh model from a saved run's weights, by name and shape (here all fit).
    const again: string[] = [];
    await train({ data, model: 'yolo26n-cls.yaml', pretrained: result.weights.last, epochs: 1, batch: 26, project, device: 'wasm', verbose: false }, { log: (l) => again.push(l) });
    expect(again.find((l) => l.startsWith('Transferred'))).toMatch(/^Transferred (\d+)\/\1 items from pretrained weights$/);
  }, 180_000);

  it('pretrained=False and .yaml train from scratch', async () => {
    const project = await mkdtemp(join(tmpdir(), 'yolo-ts-scratch-'));
    for (const [settings, said] of [
      [{ model: 'yolo26n-cls.pt', pretrained: false }, 'pretrained=False: training yolo26n-cls from scratch'],
      [{ model: 'yolo26n-cls.yaml' }, undefined],
    ] as const) {
      const lines: string[] = [];
      await train({ data: 'mnist160', epochs: 1, project, device: 'wasm', verbose: false, ...settings }, { log: (l) => lines.push(l) });
      expect(lines.some((l) => l.startsWith('Transferred') || l.startsWith('Pretrained weights'))).toBe(false);
      if (said) expect(lines).toContain(said);
    }
  }, 120_000);
});
