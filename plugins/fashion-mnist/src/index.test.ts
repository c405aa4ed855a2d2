import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePlugin, idxFixture, loadImageFolder, prepareDataset, readLayout, serveFiles, type FileServer } from '@yolo-ts/core-data';
import { FASHION_MNIST_FILES, fashionMnistPlugin } from './index.js';

const md5 = (data: Uint8Array) => createHash('md5').update(data).digest('hex');

describe('fashion-mnist', () => {
  const train = idxFixture(30, 10);
  const test = idxFixture(10, 10);
  const published = {
    [FASHION_MNIST_FILES.trainImages.name]: gzipSync(train.images),
    [FASHION_MNIST_FILES.trainLabels.name]: gzipSync(train.labels),
    [FASHION_MNIST_FILES.testImages.name]: gzipSync(test.images),
    [FASHION_MNIST_FILES.testLabels.name]: gzipSync(test.labels),
  };
  let server: FileServer;
  beforeAll(async () => {
    server = await serveFiles(Object.fromEntries(Object.entries(published).map(([name, data]) => [`/fashion/${name}`, data])));
  });
  afterAll(() => server.close());

  it('declares the official files and class names in label order', () => {
    expect(fashionMnistPlugin.classes).toEqual(['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']);
    expect(fashionMnistPlugin.files.map((f) => f.name)).toEqual(['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']);
    expect(fashionMnistPlugin.defaults).toBeUndefined(); // clothes may be mirrored: Ultralytics' fliplr=0.5 stays
  });

  it('builds its tree from files in the official format, with folder-safe class names', async () => {
    // The real plugin with the checksums of fixture files in the same format: its build is what is tested.
    const plugin = definePlugin({ ...fashionMnistPlugin, files: fashionMnistPlugin.files.map((f) => ({ name: f.name, md5: md5(published[f.name]!) })), mirrors: [`${server.url}/fashion`] });
    const datasetsDir = await mkdtemp(join(tmpdir(), 'yolo-ts-fashion-'));
    const root = await prepareDataset(plugin, { datasetsDir, tty: false });
    expect(await readdir(join(root, 'train'))).toEqual(['Ankle boot', 'Bag', 'Coat', 'Dress', 'Pullover', 'Sandal', 'Shirt', 'Sneaker', 'T-shirt_top', 'Trouser']);
    expect(await readdir(join(root, 'test', 'T-shirt_top'))).toEqual(['0.png']);
    expect(await readFile(join(root, 'data.yaml'), 'utf8')).toMatch(/names:\n {2}0: T-shirt\/top\n/);
    const data = await loadImageFolder(await readLayout(root), { cache: false });
    expect(data.classes[0]).toBe('T-shirt/top');
    expect(data.train.count).toBe(30);
    expect(Buffer.from(data.test!.images.subarray(0, 784)).equals(Buffer.from(test.pixels.subarray(0, 784)))).toBe(true);
  });
});
