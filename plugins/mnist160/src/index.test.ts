import { describe, expect, it } from 'vitest';
import { classCounts } from '@yolo-ts/core-data';
import { offlineMnistDir, readMnistSplit } from '@yolo-ts/plugin-mnist';
import { mnist160Plugin } from './index.js';

describe('mnist160', () => {
  it('takes the first 8 images of each digit, per split, in file order, from the real MNIST files', async () => {
    const ds = await mnist160Plugin.load({ datasetsDir: '.', log: () => {} });
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
      expect(expected).toHaveLength(80);
      const size = 28 * 28;
      expected.forEach((src, k) => {
        expect(sub.labels[k]).toBe(full.labels[src]);
        expect(Buffer.from(sub.images.subarray(k * size, (k + 1) * size)).equals(Buffer.from(full.images.subarray(src * size, (src + 1) * size)))).toBe(true);
      });
    }
    // The published MNIST train labels begin 5, 0, 4, 1, 9, 2, 1, 3, 1, 4: file order is kept.
    expect(Array.from(ds.train.labels.subarray(0, 10))).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
  });
});
