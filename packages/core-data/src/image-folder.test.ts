import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadImageFolder } from './image-folder.js';
import { compareImageNames } from './image-listing.js';
import { readLayout } from './layout.js';
import { encodePng } from './png.js';

/** A 2×2 gray PNG whose pixels are all `v`. */
const gray = (v: number) => encodePng(new Uint8Array(4).fill(v), 2, 2, 1);

async function tree(root: string, files: Record<string, Uint8Array | string>): Promise<string> {
  for (const [path, data] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), data);
  }
  return root;
}

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'yolo-ts-folder-'));
});

const simple = () =>
  tree(root, {
    'train/dog/10.png': gray(110),
    'train/dog/9.png': gray(109),
    'train/cat/1.png': gray(1),
    'train/cat/notes.txt': 'ignored',
    'val/cat/5.png': gray(5),
    'val/dog/6.png': gray(6),
  });

describe('loadImageFolder', () => {
  it('reads class folders as Ultralytics does: classes sorted by name, files in index order', async () => {
    await simple();
    const layout = await readLayout(root);
    expect(layout.classes).toEqual(['cat', 'dog']);
    expect(layout.splits).toEqual({ train: join(root, 'train'), val: join(root, 'val') });
    const data = await loadImageFolder(layout, { cache: false });
    expect(data.train).toMatchObject({ count: 3, height: 2, width: 2, channels: 1 });
    expect(Array.from(data.train.images.filter((_, i) => i % 4 === 0))).toEqual([1, 109, 110]);
    expect(Array.from(data.train.labels)).toEqual([0, 1, 1]);
    expect(data.val!.count).toBe(2);
  });

  it('reuses the disk cache until the file list changes', async () => {
    await simple();
    const layout = await readLayout(root);
    await loadImageFolder(layout, { cache: 'disk' });
    const cacheFiles = await readdir(join(root, '.cache'));
    expect(cacheFiles).toEqual([expect.stringMatching(/^train-[0-9a-f]{16}\.bin$/), expect.stringMatching(/^val-[0-9a-f]{16}\.bin$/)]);
    await writeFile(join(root, 'train/cat/1.png'), gray(200)); // same name: the cache still answers
    expect((await loadImageFolder(layout, { cache: 'disk' })).train.images[0]).toBe(1);
    await writeFile(join(root, 'train/cat/2.png'), gray(2)); // a new file: read again, cache replaced
    const fresh = await loadImageFolder(layout, { cache: 'disk' });
    expect(fresh.train.count).toBe(4);
    expect(fresh.train.images[0]).toBe(200);
    expect((await readdir(join(root, '.cache'))).filter((f) => f.startsWith('train-'))).toHaveLength(1);
  });

  it('cache=ram keeps the dataset in this process; false decodes every time', async () => {
    await simple();
    const layout = await readLayout(root);
    const first = await loadImageFolder(layout, { cache: 'ram' });
    expect(await loadImageFolder(layout, { cache: 'ram' })).toBe(first);
    expect(await loadImageFolder(layout, { cache: false })).not.toBe(first);
    await expect(readdir(join(root, '.cache'))).rejects.toThrow(/ENOENT/);
  });

  it('turns the whole dataset RGB when one image has colour', async () => {
    await simple();
    await writeFile(join(root, 'val/dog/7.png'), encodePng(Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9]), 2, 2, 3));
    const data = await loadImageFolder(await readLayout(root), { cache: false });
    expect(data.train.channels).toBe(3);
    expect(Array.from(data.train.images.subarray(0, 3))).toEqual([1, 1, 1]);
    expect(Array.from(data.val!.images.subarray(-6))).toEqual([0, 0, 255, 9, 9, 9]);
  });

  it('reads a data.yaml elsewhere: its path, split folders and class order', async () => {
    await tree(root, { 'imgs/fit/b/0.png': gray(0), 'imgs/fit/a/1.png': gray(1), 'imgs/check/a/2.png': gray(2) });
    await writeFile(join(root, 'set.yaml'), 'path: imgs\ntrain: fit\nval: check\nnames:\n  0: b\n  1: a\n');
    const layout = await readLayout(join(root, 'set.yaml'));
    expect(layout).toMatchObject({ name: 'imgs', classes: ['b', 'a'], folders: ['b', 'a'] });
    const data = await loadImageFolder(layout, { cache: false });
    expect(Array.from(data.train.labels)).toEqual([0, 1]);
    expect(Array.from(data.val!.labels)).toEqual([1]);
  });

  it.each([
    [{ 'train/a/0.png': gray(0), 'train/b/0.png': gray(0) }, /has train\/ but no val\/ or test\/ folder to validate on/],
    [{ 'a/0.png': gray(0) }, /has no train\/ folder: a dataset folder needs train\/ and val\/ or test\//],
    [{ 'train/a/0.png': gray(0), 'train/b/0.jpg': 'x', 'test/a/0.png': gray(0) }, /b\/0\.jpg: yolo-ts reads PNG images only/],
    [{ 'train/a/0.png': gray(0), 'train/b/0.png': encodePng(new Uint8Array(9), 3, 3, 1), 'test/a/0.png': gray(0) }, /0\.png is 3x3 but .*0\.png is 2x2: yolo-ts needs one image size per dataset/],
    [{ 'train/a/0.png': gray(0), 'train/b/0.png': gray(0), 'test/c/0.png': gray(0) }, /test\/c is not a folder of one of the dataset's 2 classes/],
    [{ 'train/a/x': '', 'train/b/y': '', 'test/a/0.png': gray(0) }, /no training images found in/],
    [{ 'train/a/0.png': 'not a png', 'train/b/0.png': gray(0), 'test/a/0.png': gray(0) }, /a\/0\.png: not a readable PNG/],
  ])('explains what is wrong with a folder (%#)', async (files, message) => {
    await tree(root, files);
    await expect(readLayout(root).then((l) => loadImageFolder(l, { cache: false }))).rejects.toThrow(message);
  });

  it('says that a file other than a .yaml is not a dataset', async () => {
    await tree(root, { 'digits.zip': 'PK' });
    await expect(readLayout(join(root, 'digits.zip'))).rejects.toThrow(/digits\.zip' is a file: data= takes a folder .* or a \.yaml file/);
  });

  it('orders numbered files by number, then other names', () => {
    expect(['b.png', '10.png', '9.png', '1_.png', 'a.png', '0.png'].sort(compareImageNames)).toEqual(['0.png', '9.png', '10.png', '1_.png', 'a.png', 'b.png']);
  });
});
