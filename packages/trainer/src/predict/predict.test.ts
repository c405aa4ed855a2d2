import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { datasetRoot } from '@yolo-ts/core-data';
import { loadModel } from '@yolo-ts/models';
import { pretrainedWeights } from '@yolo-ts/weights';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasetsDir } from '../data/datasets.js';
import { train } from '../train/train.js';
import { val } from '../val/val.js';
import { YOLO } from '../yolo.js';

const LINE = /^image (\d+)\/(\d+) (\/.+\.png): 28x28 ((?:\S+ \d\.\d\d, ){5})(\d+\.\d)ms$/;

describe('val and predict on a model trained on mnist160', () => {
  let best: string;
  let bestTop1: number;
  let project: string;
  const testDir = () => resolve(datasetRoot(datasetsDir(), 'mnist160'), 'test');

  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), 'yolo-ts-predict-'));
    const run = await train({ data: 'mnist160', model: 'yolo26n-cls.pt', epochs: 2, project, device: 'wasm', verbose: false, plots: false }, { log: () => {} });
    best = run.weights.best;
    bestTop1 = run.results[run.bestEpoch - 1]!['metrics/accuracy_top1'];
  }, 120_000);

  it("val gives the best epoch's top-1 with Ultralytics' table and writes both confusion matrices", async () => {
    const lines: string[] = [];
    const v = await val({ model: best, project, device: 'wasm' }, { log: (l) => lines.push(l) });
    expect(v.metrics.top1).toBeCloseTo(bestTop1, 6);
    expect(v.metrics.fitness).toBeCloseTo((v.metrics.top1 + v.metrics.top5) / 2, 12);
    expect(v.metrics.perClass.map((c) => c.images)).toEqual(Array(10).fill(8));
    expect(v.metrics.confusion.flat().reduce((a, b) => a + b, 0)).toBe(80);
    expect(lines).toContain(`${'classes'.padStart(22)}${'top1_acc'.padStart(11)}${'top5_acc'.padStart(11)}`);
    expect(lines.find((l) => l.trimStart().startsWith('all '))).toMatch(/^ +all +[\d.]+ +[\d.]+$/);
    expect(lines.find((l) => l.startsWith('Speed:'))).toMatch(/^Speed: \d+\.\dms preprocess, \d+\.\dms inference, \d+\.\dms loss, \d+\.\dms postprocess per image$/);
    expect((await readdir(v.saveDir!)).sort()).toEqual(['confusion_matrix.png', 'confusion_matrix_normalized.png']);
  }, 60_000);

  it("predict prints 80 of Ultralytics' lines whose top classes score val's top-1, and save_txt writes 80 files", async () => {
    const lines: string[] = [];
    const results = await new YOLO(best, { log: (l) => lines.push(l) }).predict('mnist160/test', { save_txt: true, verbose: true, project, name: 'predict', device: 'wasm' });
    const images = lines.filter((l) => l.startsWith('image '));
    expect(images).toHaveLength(80);
    const parsed = images.map((l) => l.match(LINE)!);
    expect(parsed.every(Boolean)).toBe(true);
    expect(parsed.map((m) => Number(m[1]))).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    const right = parsed.filter((m) => m[4]!.split(' ')[0] === basename(dirname(m[3]!))).length;
    const v = await val({ model: best, device: 'wasm', plots: false }, { log: () => {} });
    expect(right / 80).toBeCloseTo(v.metrics.top1, 6);
    expect(lines).toContain(`80 labels saved to ${join(project, 'predict', 'labels')}`);
    const txt = await readdir(join(project, 'predict', 'labels'), { recursive: true, withFileTypes: true });
    expect(txt.filter((e) => e.isFile() && e.name.endsWith('.txt'))).toHaveLength(80);
    const first = (await readFile(join(project, 'predict', 'labels', `${parsed[0]![3]!.slice(testDir().length + 1, -4)}.txt`), 'utf8')).trim().split('\n');
    expect(first).toHaveLength(5);
    expect(first[0]).toBe(results[0]!.txtLines()[0]);
    expect(first.every((l) => /^\d\.\d\d \d$/.test(l))).toBe(true);
    // The Results API.
    const r = results[0]!;
    expect(r.probs.data.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(r.probs.top5).toHaveLength(5);
    expect(r.probs.top1conf).toBe(Math.max(...r.probs.data));
    expect(r.summary()).toEqual([{ name: r.names[r.probs.top1], class: r.probs.top1, confidence: Number(r.probs.top1conf.toFixed(5)) }]);
    expect(r.verbose()).toMatch(/^(\d \d\.\d\d, ){5}$/);
    expect(r.origShape).toEqual([28, 28]);
  }, 120_000);

  it('reads every source kind: a file, a folder with a corrupt file, a glob, a .txt list, a JPEG and a colour PNG of another size', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yolo-ts-sources-'));
    const digit = join(testDir(), '7', (await readdir(join(testDir(), '7')))[0]!);
    const gray = await sharp(digit).extractChannel(0).raw().toBuffer();
    await mkdir(join(dir, 'folder'));
    await writeFile(join(dir, 'folder', 'a.png'), await readFile(digit));
    await writeFile(join(dir, 'folder', 'b.jpg'), await sharp(gray, { raw: { width: 28, height: 28, channels: 1 } }).jpeg().toBuffer());
    // Colour, 3× the size: becomes gray and is resized to 28×28.
    const big = await sharp(gray, { raw: { width: 28, height: 28, channels: 1 } }).resize(84, 84).toColourspace('srgb').tint('#ff8000').png().toBuffer();
    await writeFile(join(dir, 'folder', 'c.png'), big);
    await writeFile(join(dir, 'folder', 'd.png'), Buffer.from('not an image at all'));
    await writeFile(join(dir, 'list.txt'), `folder/a.png\n${join(dir, 'folder', 'b.jpg')}\n`);
    const model = new YOLO(best, { log: () => {} });
    const lines: string[] = [];
    const folder = await new YOLO(best, { log: (l) => lines.push(l) }).predict(join(dir, 'folder'), { device: 'wasm' });
    expect(folder.map((r) => basename(r.path))).toEqual(['a.png', 'b.jpg', 'c.png']);
    expect(lines.filter((l) => l.startsWith('WARNING'))).toEqual([expect.stringMatching(/^WARNING .*d\.png: not a readable image .*; skipped$/)]);
    expect(folder.map((r) => r.names[r.probs.top1])).toEqual(['7', '7', '7']);
    expect(folder[2]!.origShape).toEqual([84, 84]);
    expect((await model.predict(join(dir, 'folder', 'a.png'))).map((r) => basename(r.path))).toEqual(['a.png']);
    expect((await model.predict(join(dir, 'folder', '*.{png,jpg}'))).map((r) => basename(r.path))).toEqual(['a.png', 'b.jpg', 'c.png']);
    expect((await model.predict(join(dir, 'list.txt'))).map((r) => basename(r.path))).toEqual(['a.png', 'b.jpg']);
    // stream=True: an async iterator.
    const streamed: string[] = [];
    for await (const r of model.predict(join(dir, 'folder'), { stream: true, batch: 1 })) streamed.push(basename(r.path));
    expect(streamed).toEqual(['a.png', 'b.jpg', 'c.png']);
    await expect(model.predict(join(dir, 'nothing-here'))).rejects.toThrow(/source=.*nothing-here: no such file, folder or dataset split/);
  }, 120_000);

  it('refuses a dataset the model does not fit, and frees only its own model', async () => {
    const other = await loadModel(pretrainedWeights('yolo26n-cls')!.dir);
    // Ten classes, as the model has, but letters.
    const letters = await mkdtemp(join(tmpdir(), 'yolo-ts-letters-'));
    const png = await readFile(join(testDir(), '7', (await readdir(join(testDir(), '7')))[0]!));
    for (const split of ['train', 'test']) for (const c of 'abcdefghij') {
      await mkdir(join(letters, split, c), { recursive: true });
      await writeFile(join(letters, split, c, '0.png'), png);
    }
    await expect(val({ model: best, data: letters, device: 'wasm' }, { log: () => {} })).rejects.toThrow(/does not fit dataset '.*': the model has classes 0, 1, 2, 3, 4…, the dataset a, b, c, d, e…\. Give data= the dataset it was trained on \(mnist160\)/);
    await expect(val({ model: best, imgsz: 32, device: 'wasm' }, { log: () => {} })).rejects.toThrow(/takes 28×28 images, not imgsz=32/);
    await val({ model: best, device: 'wasm', plots: false }, { log: () => {} });
    // A model of the caller's survives val.
    const y = tf.tidy(() => (other.model.predict(tf.zeros([1, 28, 28, 1])) as tf.Tensor).dataSync());
    expect(y).toHaveLength(10);
    other.model.dispose();
  }, 120_000);
});
