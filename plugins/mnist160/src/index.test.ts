import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classCounts, loadImageFolder, prepareDataset, readLayout } from '@yolo-ts/core-data';
import { offlineMnistDir, readMnistSplit } from '@yolo-ts/plugin-mnist';
import { mnist160Plugin } from './index.js';

describe('mnist160', () => {
  it('takes the first 8 images of each digit, per split, in file order, named by their index in the MNIST files', async () => {
    const datasetsDir = await mkdtemp(join(tmpdir(), 'yolo-ts-mnist160-'));
    const root = await prepareDataset(mnist160Plugin, { datasetsDir, tty: false });
    const ds = await loadImageFolder(await readLayout(root), { cache: false });
    const dir = offlineMnistDir();
    for (const name of ['train', 'test'] as const) {
      const full = await readMnistSplit(dir, name);
      const sub = ds[name]!;
      expect(sub.count).toBe(80);
      expect(classCounts(sub, 10)).toEqual(new Array(10).fill(8));
      // Recompute the expected indices independently: scan the label file and keep a label's first 8 hits.
      const seen = new Map<number, number>();
      const expected: number[] = [];
      full.labels.forEach((l, i) => {
        const n = seen.get(l) ?? 0;
        if (n < 8) expected.push(i);
        seen.set(l, n + 1);
      });
      const byClass = (c: number) => expected.filter((i) => full.labels[i] === c);
      for (let c = 0; c < 10; c++) {
        expect((await readdir(join(root, name, String(c)))).sort((a, b) => parseInt(a) - parseInt(b))).toEqual(byClass(c).map((i) => `${i}.png`));
      }
      // The tree is read class by class, each class in file order: image k of the tree is source image order[k].
      const order = Array.from({ length: 10 }, (_, c) => byClass(c)).flat();
      const size = 28 * 28;
      order.forEach((src, k) => {
        expect(sub.labels[k]).toBe(full.labels[src]);
        expect(Buffer.from(sub.images.subarray(k * size, (k + 1) * size)).equals(Buffer.from(full.images.subarray(src * size, (src + 1) * size)))).toBe(true);
      });
    }
    // The published MNIST train labels begin 5, 0, 4, 1, 9, 2, 1, 3, 1, 4: train/5/0.png is the first image.
    expect(await readdir(join(root, 'train', '5'))).toContain('0.png');
  });
});
