import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classFolders, DatasetUnavailableError, definePlugin, loadImageFolder, prepareDataset, readLayout } from '@yolo-ts/core-data';
import { idxFixture, serveFiles, type FileServer } from '@yolo-ts/core-data/testing';
import { FASHION_MNIST_FILES, FASHION_MNIST_OFFLINE_DIR, fashionMnistPlugin, offlineFashionMnistDir } from './index.js';

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

  const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
  /** The real plugin with the content hashes of the fixture files: what a re-compressed copy of them matches. */
  const byContent = (over: Partial<typeof fashionMnistPlugin>) =>
    definePlugin({ ...fashionMnistPlugin, files: fashionMnistPlugin.files.map((f) => ({ name: f.name, contentSha256: sha256(gunzipSync(published[f.name]!)) })), ...over });
  /** A folder holding the fixture files re-compressed (as Debian's copy is: other bytes, same content). */
  async function recompressedCopy(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'yolo-ts-fashion-copy-'));
    for (const [name, data] of Object.entries(published)) await writeFile(join(dir, name), gzipSync(gunzipSync(data), { level: 1 }));
    return dir;
  }

  it('prefers the offline copy, accepted by content hash, and skips it when mirrors are given (YOLO_TS_MIRRORS)', async () => {
    const copy = await recompressedCopy();
    const plugin = byContent({ offline: () => copy, mirrors: [`${server.url}/fashion`] });
    const before = server.requests.length;
    const root = await prepareDataset(plugin, { datasetsDir: await mkdtemp(join(tmpdir(), 'yolo-ts-fashion-')), tty: false });
    expect(server.requests.length).toBe(before); // nothing downloaded
    expect((await loadImageFolder(await readLayout(root), { cache: false })).train.count).toBe(30);
    await prepareDataset(plugin, { datasetsDir: await mkdtemp(join(tmpdir(), 'yolo-ts-fashion-')), tty: false, mirrors: [`${server.url}/fashion`] });
    expect(server.requests.slice(before).map((r) => r.path).sort()).toEqual(Object.keys(published).map((n) => `/fashion/${n}`).sort());
  });

  it('refuses a tampered offline copy, and says so when the download fails too', async () => {
    const copy = await recompressedCopy();
    const name = FASHION_MNIST_FILES.trainImages.name;
    const pixels = gunzipSync(await readFile(join(copy, name)));
    pixels[100]! ^= 0xff;
    await writeFile(join(copy, name), gzipSync(pixels));
    const plugin = byContent({ offline: () => copy, mirrors: [`${server.url}/nowhere`] });
    await expect(prepareDataset(plugin, { datasetsDir: await mkdtemp(join(tmpdir(), 'yolo-ts-fashion-')), tty: false })).rejects.toThrow(
      /could not download train-images-idx3-ubyte\.gz: .*404.*no usable offline copy either: checksum mismatch for train-images-idx3-ubyte\.gz/,
    );
  });

  it('without a copy or a mirror, says to install Debian\'s package', async () => {
    expect(() => offlineFashionMnistDir('/nonexistent/fashion-mnist')).toThrow(DatasetUnavailableError);
    const plugin = definePlugin({ ...fashionMnistPlugin, offline: () => offlineFashionMnistDir('/nonexistent/fashion-mnist'), mirrors: [`${server.url}/nowhere`] });
    await expect(prepareDataset(plugin, { datasetsDir: await mkdtemp(join(tmpdir(), 'yolo-ts-fashion-')), tty: false })).rejects.toThrow(
      /no usable offline copy either: no offline copy in \/nonexistent\/fashion-mnist: apt-get install dataset-fashion-mnist/,
    );
  });

  // Debian's real copy (.ci/run installs dataset-fashion-mnist): the plugin as shipped, no network.
  it.runIf(existsSync(FASHION_MNIST_OFFLINE_DIR))('prepares the real 70,000 images from Debian\'s re-compressed copy', async () => {
    const datasetsDir = await mkdtemp(join(tmpdir(), 'yolo-ts-fashion-real-'));
    const root = await prepareDataset(fashionMnistPlugin, { datasetsDir, tty: false });
    const layout = await readLayout(root);
    const data = await loadImageFolder(layout, { cache: false });
    expect([data.train.count, data.test!.count]).toEqual([60000, 10000]);
    const perClass = (labels: Uint8Array | Int32Array) => Array.from({ length: 10 }, (_, c) => labels.filter((l) => l === c).length);
    expect(perClass(data.train.labels).map((n, c) => n + perClass(data.test!.labels)[c]!)).toEqual(Array(10).fill(7000));
    expect(data.classes).toEqual([...fashionMnistPlugin.classes]);
    expect(await readFile(join(root, 'data.yaml'), 'utf8')).toMatch(/0: T-shirt\/top\n.*9: Ankle boot\n/s);
    expect(await readdir(join(root, 'train'))).toContain('T-shirt_top');
    // Zalando's first training labels, read back from the PNG tree (a PNG is named by its position in the file).
    const folders = classFolders(fashionMnistPlugin.classes);
    const labelOf = (i: number) => folders.findIndex((folder) => existsSync(join(root, 'train', folder, `${i}.png`)));
    expect(Array.from({ length: 10 }, (_, i) => labelOf(i))).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
  }, 120_000);
});
