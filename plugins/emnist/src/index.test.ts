import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePng, definePlugin, prepareDataset, type DatasetPlugin } from '@yolo-ts/core-data';
import { idxFixture, serveFiles, writeZip, type FileServer } from '@yolo-ts/core-data/testing';
import { EMNIST_ZIP, emnistPlugin, emnistPlugins } from './index.js';

/** A gzip.zip laid out as NIST's: gzip/emnist-<split>-<part>.gz for a few splits, with small IDX fixtures. */
const fixtures = {
  balanced: { train: idxFixture(94, 47), test: idxFixture(47, 47) },
  letters: { train: idxFixture(52, 26, { labelOf: (i) => 1 + (i % 26) }), test: idxFixture(26, 26, { labelOf: (i) => 26 - (i % 26) }) },
  byclass: { train: idxFixture(62, 62), test: idxFixture(62, 62) },
};
const zip = writeZip([
  { name: 'gzip/emnist-balanced-mapping.txt', data: Buffer.from('0 48\n') },
  ...Object.entries(fixtures).flatMap(([split, parts]) =>
    Object.entries(parts).flatMap(([part, f]) => [
      { name: `gzip/emnist-${split}-${part}-images-idx3-ubyte.gz`, data: gzipSync(f.images) },
      { name: `gzip/emnist-${split}-${part}-labels-idx1-ubyte.gz`, data: gzipSync(f.labels) },
    ]),
  ),
]);

let server: FileServer;
let datasetsDir: string;
beforeAll(async () => {
  server = await serveFiles({ '/nist/gzip.zip': zip });
  datasetsDir = await mkdtemp(join(tmpdir(), 'yolo-ts-emnist-'));
});
afterAll(() => server.close());

/** The real plugin, with the checksum of the fixture archive in place of NIST's. */
const served = (p: DatasetPlugin) => definePlugin({ ...p, files: [{ name: EMNIST_ZIP.name, md5: createHash('md5').update(zip).digest('hex') }], mirrors: [`${server.url}/nist`] });
const named = (name: string) => served(emnistPlugins.find((p) => p.name === name)!);

describe('emnist', () => {
  it('offers the six splits, balanced as data=emnist, with no horizontal flip', () => {
    expect(emnistPlugins.map((p) => [p.name, p.classes.length])).toEqual([
      ['emnist', 47],
      ['emnist-byclass', 62],
      ['emnist-bymerge', 47],
      ['emnist-letters', 26],
      ['emnist-digits', 10],
      ['emnist-mnist', 10],
    ]);
    expect(emnistPlugin.description).toBe('EMNIST balanced: handwritten characters, 47 classes, 112,800 train / 18,800 test');
    expect(emnistPlugins.every((p) => p.defaults?.fliplr === 0 && p.files[0] === EMNIST_ZIP)).toBe(true);
  });

  it('extracts its split from gzip.zip into upright images, in class folders apart on case-insensitive disks', async () => {
    const root = await prepareDataset(served(emnistPlugin), { datasetsDir, tty: false });
    const folders = await readdir(join(root, 'train'));
    expect(folders).toHaveLength(47);
    expect(folders).toEqual(expect.arrayContaining(['T', 't_lower', 'N', 'n_lower', 'C']));
    expect(new Set(folders.map((f) => f.toLowerCase())).size).toBe(47);
    // Image 5 of the test file (label 5) is stored transposed: the PNG's pixel (r, c) is the file's (c, r).
    const png = decodePng(await readFile(join(root, 'test', '5', '5.png')), '5.png');
    const source = fixtures.balanced.test.pixels.subarray(5 * 784, 6 * 784);
    for (const [r, c] of [[0, 1], [3, 20], [27, 0]] as const) expect(png.data[r * 28 + c]).toBe(source[c * 28 + r]);
    expect(png.data[28]).not.toBe(source[28]);
  });

  it('maps letters labels 1–26 to a–z, and shares the one download with the other splits', async () => {
    const before = server.requests.length;
    const letters = await prepareDataset(named('emnist-letters'), { datasetsDir, tty: false });
    expect(await readdir(join(letters, 'test', 'a'))).toEqual(['25.png']); // label 26 - (25 mod 26) = 1 → 'a'
    expect(await readdir(join(letters, 'test', 'z'))).toEqual(['0.png']);
    expect((await readdir(join(letters, 'train', 'a'))).sort()).toEqual(['0.png', '26.png']);
    const byclass = await prepareDataset(named('emnist-byclass'), { datasetsDir, tty: false });
    expect(await readdir(join(byclass, 'train', 'a_lower'))).toEqual(['36.png']);
    expect(server.requests.length).toBe(before); // gzip.zip was downloaded once, by the first test
  });

  it('says which entry the archive lacks', async () => {
    await expect(prepareDataset(named('emnist-digits'), { datasetsDir, tty: false })).rejects.toThrow(/gzip\.zip has no entry gzip\/emnist-digits-train-images-idx3-ubyte\.gz/);
  });
});
