import { DatasetUnavailableError, definePlugin } from '@yolo-ts/core-data';

export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

/** `data=fashion-mnist`: Zalando's 70,000 clothing images. Only the official files count; none ship offline. */
export const fashionMnistPlugin = definePlugin({
  name: 'fashion-mnist',
  description: 'Fashion-MNIST clothing, 28x28 grayscale, 60,000 train / 10,000 test',
  classes: FASHION_MNIST_CLASSES,
  source: 'official files from the Fashion-MNIST mirror (download)',
  async load() {
    throw new DatasetUnavailableError(
      "fashion-mnist: yolo-ts ships no offline copy and cannot download it yet; use data=mnist, or a folder of images with train/ and val/ subfolders",
    );
  },
});

export default fashionMnistPlugin;
