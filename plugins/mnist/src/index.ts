import { definePlugin } from '@yolo-ts/core-data';
import { MNIST_SOURCE, readMnistFiles } from './files.js';

export { MNIST_FILES, MNIST_CLASSES, MNIST_MIRRORS, MNIST_SOURCE, offlineMnistDir, readMnistFiles, readMnistSplit } from './files.js';

/** `data=mnist`: the 70,000 handwritten digits (60,000 train, 10,000 test). */
export const mnistPlugin = definePlugin({
  name: 'mnist',
  description: 'MNIST handwritten digits, 28x28 grayscale, 60,000 train / 10,000 test',
  ...MNIST_SOURCE,
  build: ({ files }) => readMnistFiles(files),
});

export default mnistPlugin;
