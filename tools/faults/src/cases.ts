import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { decodeImage, encodePng, extractZip, gunzipFile, loadImageFolder, parseIdx, readLayout, splitFromIdx } from '@yolo-ts/core-data';
import { idxFixture, writeZip } from '@yolo-ts/core-data/testing';
import { defaultModelRegistry, loadModel, saveModel } from '@yolo-ts/models';
import { SETTINGS, readUserSettings, resolveConfig } from '@yolo-ts/trainer';
import sharp from 'sharp';
import type { FaultCase } from './harness.js';

const DATA = ['E_DATA_FORMAT'];
const cuts = (length: number, n: number) => [...new Set(Array.from({ length: n }, (_, i) => Math.floor((length * i) / n)))];
const fresh = () => mkdtemp(join(tmpdir(), 'yolo-ts-fault-'));

/** IDX image/label files: truncated anywhere, wrong magic, dims that do not match the data, labels out of range. */
export function idxCases(): FaultCase[] {
  const { images, labels } = idxFixture(12, 10, { height: 5, width: 4 });
  const parse = (img: Uint8Array, lab: Uint8Array = labels, nc = 10) => async () => splitFromIdx(parseIdx(img, 'images'), parseIdx(lab, 'labels'), nc, 'fault');
  const withByte = (src: Uint8Array, at: number, value: number) => Uint8Array.from(src, (b, i) => (i === at ? value : b));
  return [
    ...cuts(images.length, 30).map((n) => ({ category: 'IDX', name: `images truncated to ${n} bytes`, codes: DATA, run: parse(images.subarray(0, n)) })),
    ...cuts(labels.length, 8).map((n) => ({ category: 'IDX', name: `labels truncated to ${n} bytes`, codes: DATA, run: parse(images, labels.subarray(0, n)) })),
    ...[0, 1, 2, 3].map((at) => ({ category: 'IDX', name: `magic byte ${at} garbled`, codes: DATA, run: parse(withByte(images, at, 0x55)) })),
    { category: 'IDX', name: 'gzip-compressed bytes given as IDX', codes: DATA, run: parse(gzipSync(images)) },
    { category: 'IDX', name: 'labels of images of another count', codes: DATA, run: parse(images, idxFixture(11, 10).labels) },
    { category: 'IDX', name: 'a label past the last class', codes: DATA, run: parse(images, labels, 5) },
    { category: 'IDX', name: 'images with 2 dims', codes: DATA, run: parse(labels, labels) },
    { category: 'IDX', name: 'dims claiming 1000 more images', codes: DATA, run: parse(withByte(images, 6, 0x03)) },
  ];
}

/** gzip files: cut short, corrupted, not gzip at all. */
export async function gzipCases(): Promise<FaultCase[]> {
  const dir = await fresh();
  const gz = gzipSync(idxFixture(50, 10).images);
  const file = async (name: string, bytes: Uint8Array) => {
    const path = join(dir, name);
    await writeFile(path, bytes);
    return path;
  };
  const out: FaultCase[] = [];
  for (const n of cuts(gz.length, 12).slice(1)) {
    const path = await file(`cut-${n}.gz`, gz.subarray(0, n));
    out.push({ category: 'gzip', name: `cut to ${n} of ${gz.length} bytes`, codes: DATA, run: () => gunzipFile(path), guard: dir });
  }
  const flipped = Uint8Array.from(gz, (b, i) => (i === Math.floor(gz.length / 2) ? b ^ 0xff : b));
  const bad = await file('flipped.gz', flipped);
  out.push({ category: 'gzip', name: 'a byte in the middle flipped', codes: DATA, run: () => gunzipFile(bad), guard: dir });
  const plain = await file('plain.gz', Buffer.from('not gzip at all'));
  out.push({ category: 'gzip', name: 'not gzip', codes: DATA, run: () => gunzipFile(plain), guard: dir });
  return out;
}

/** Images for predict and image folders: truncated, bad CRC, absurd sizes, and valid but unusual encodings. */
export async function imageCases(): Promise<FaultCase[]> {
  const pixels = Uint8Array.from({ length: 28 * 28 }, (_, i) => i % 256);
  const png = encodePng(pixels, 28, 28, 1);
  const rgb = await sharp(Buffer.from(Uint8Array.from({ length: 32 * 32 * 3 }, (_, i) => (i * 7) % 256)), { raw: { width: 32, height: 32, channels: 3 } });
  const jpeg = await rgb.clone().jpeg().toBuffer();
  const decode = (bytes: Uint8Array) => () => decodeImage(bytes, 'fault', 1);
  const crc = Uint8Array.from(png, (b, i) => (i === png.length - 20 ? b ^ 0x01 : b));
  const huge = Buffer.from(png);
  huge.writeUInt32BE(100_000, 16); // IHDR width
  huge.writeUInt32BE(100_000, 20); // IHDR height
  return [
    ...cuts(png.length, 20).map((n) => ({ category: 'PNG', name: `cut to ${n} of ${png.length} bytes`, codes: DATA, run: decode(png.subarray(0, n)) })),
    { category: 'PNG', name: 'a data byte flipped (bad CRC)', codes: DATA, run: decode(crc) },
    { category: 'PNG', name: 'header claiming 100000×100000 pixels', codes: DATA, run: decode(huge) },
    { category: 'PNG', name: '16-bit grayscale (valid)', codes: ['OK'], run: decode(await sharp(png).toColourspace('grey16').png().toBuffer()) },
    { category: 'PNG', name: 'palette (valid)', codes: ['OK'], run: decode(await rgb.clone().png({ palette: true }).toBuffer()) },
    { category: 'PNG', name: 'RGBA with transparency (valid)', codes: ['OK'], run: decode(await rgb.clone().ensureAlpha(0.5).png().toBuffer()) },
    ...cuts(jpeg.length, 10).slice(0, 4).map((n) => ({ category: 'JPEG', name: `cut to ${n} of ${jpeg.length} bytes`, codes: DATA, run: decode(jpeg.subarray(0, n)) })),
    { category: 'JPEG', name: 'CMYK (valid)', codes: ['OK'], run: decode(await rgb.clone().toColourspace('cmyk').jpeg().toBuffer()) },
    { category: 'image', name: 'zero bytes', codes: DATA, run: decode(new Uint8Array(0)) },
    { category: 'image', name: 'a text file', codes: DATA, run: decode(Buffer.from('hello, not an image')) },
  ];
}

/** Zip archives: escaping paths (zip-slip), absolute names, cut short, not a zip. */
export async function zipCases(): Promise<FaultCase[]> {
  const dir = await fresh();
  const out: FaultCase[] = [];
  const add = async (name: string, bytes: Uint8Array, maxBytes?: number) => {
    const path = join(dir, `${out.length}.zip`);
    await writeFile(path, bytes);
    const dest = join(dir, `out-${out.length}`);
    out.push({ category: 'zip', name, codes: DATA, run: () => extractZip(path, dest, () => true, { maxBytes }), guard: dir });
  };
  const data = new Uint8Array(100).fill(7);
  for (const evil of ['../escaped.bin', '../../etc/escaped', '/abs/escaped.bin', 'a/../../escaped.bin', 'C:\\escaped.bin']) await add(`entry named ${evil}`, writeZip([{ name: evil, data }]));
  const good = writeZip([{ name: 'a.bin', data }, { name: 'b.bin', data }]);
  for (const n of cuts(good.length, 8).slice(1)) await add(`cut to ${n} of ${good.length} bytes`, good.subarray(0, n));
  await add('not a zip', Buffer.from('PK but not really a zip archive'));
  await add('two entries of one name', writeZip([{ name: 'a.bin', data }, { name: 'a.bin', data: new Uint8Array(10) }]));
  // 64 MB of zeros deflate to about 64 kB: past a 16 MB limit (the real one is 8 GiB), as a bomb is past 8 GiB.
  await add('a bomb: 64 MB from 64 kB, over the limit', writeZip([{ name: 'zeros.bin', data: new Uint8Array(64e6) }]), 16e6);
  return out;
}

/** Image folders as data=: no train/, no classes, one class, empty class, corrupt image, a symlink loop. */
export async function folderCases(): Promise<FaultCase[]> {
  const png = encodePng(new Uint8Array(28 * 28).fill(9), 28, 28, 1);
  const out: FaultCase[] = [];
  const folder = async (name: string, files: Record<string, Uint8Array | null>, codes: string[], extra?: (root: string) => Promise<void>) => {
    const root = await fresh();
    for (const [p, bytes] of Object.entries(files)) {
      await mkdir(join(root, p, bytes === null ? '' : '..'), { recursive: true });
      if (bytes) await writeFile(join(root, p), bytes);
    }
    await extra?.(root);
    out.push({ category: 'data folder', name, codes, run: async () => loadImageFolder(await readLayout(root), { cache: false }), guard: root });
  };
  await folder('empty folder', {}, ['E_DATA_NOT_FOUND', 'E_DATA_FORMAT']);
  await folder('train/ with no class folders', { train: null }, ['E_DATA_NOT_FOUND', 'E_DATA_FORMAT']);
  await folder('one class only', { 'train/a/1.png': png, 'val/a/1.png': png }, DATA);
  // A class that has no training images yet is kept (Ultralytics keeps it in names too).
  await folder('a class folder with no images', { 'train/a/1.png': png, 'train/b': null, 'val/a/1.png': png, 'val/b/1.png': png }, ['OK', ...DATA]);
  await folder('a corrupt image among good ones', { 'train/a/1.png': png, 'train/b/1.png': png.subarray(0, 40), 'val/a/1.png': png, 'val/b/1.png': png }, DATA);
  await folder('a zero-byte image', { 'train/a/1.png': png, 'train/b/1.png': new Uint8Array(0), 'val/a/1.png': png, 'val/b/1.png': png }, DATA);
  await folder('val classes that train lacks', { 'train/a/1.png': png, 'train/b/1.png': png, 'val/c/1.png': png }, DATA);
  await folder('a symlink loop inside a class', { 'train/a/1.png': png, 'train/b/1.png': png, 'val/a/1.png': png, 'val/b/1.png': png }, ['OK', ...DATA], (root) => symlink(join(root, 'train'), join(root, 'train', 'a', 'loop')));
  await folder('class names differing only in case', { 'train/a/1.png': png, 'train/A/1.png': png, 'val/a/1.png': png, 'val/A/1.png': png }, ['OK', ...DATA]);
  return out;
}

/** One case per text: the text written as `fileName` in a fresh folder, then read by `read`. */
async function textFileCases(category: string, fileName: string, texts: [string, string][], codes: string[], read: (file: string) => Promise<unknown>): Promise<FaultCase[]> {
  return Promise.all(
    texts.map(async ([name, text]) => {
      const root = await fresh();
      const file = join(root, fileName);
      await writeFile(file, text);
      return { category, name, codes, run: () => read(file), guard: root };
    }),
  );
}

/** data .yaml files: not YAML, wrong types, paths that do not exist or leave the dataset. */
export function yamlCases(): Promise<FaultCase[]> {
  const texts: [string, string][] = [
    ['not YAML', 'train: [unclosed'],
    ['a list, not a mapping', '- a\n- b'],
    ['no train key', 'val: images/val\nnames: [a, b]'],
    ['train path missing', 'path: .\ntrain: nowhere\nval: nowhere\nnames: [a, b]'],
    ['path outside the dataset that does not exist', 'path: /definitely/not/here\ntrain: train\nval: val'],
    ['names of the wrong type', 'path: .\ntrain: train\nval: val\nnames: 12'],
    ['empty file', ''],
  ];
  return textFileCases('data yaml', 'data.yaml', texts, ['E_DATA_NOT_FOUND', 'E_DATA_FORMAT', 'E_CONFIG'], async (file) => loadImageFolder(await readLayout(file), { cache: false }));
}

/** Saved models: model.json missing, cut, not a yolo-ts model, weights short or reshaped, an unknown layer. */
export async function modelCases(): Promise<FaultCase[]> {
  const base = await fresh();
  const good = join(base, 'good');
  await saveModel(defaultModelRegistry().build('cnn-small', { imgsz: 28, channels: 1, nc: 10, seed: 0 }), good, { architecture: 'cnn-small', names: [...'0123456789'], imgsz: 28, channels: 1, input: 'uint8-range NHWC', output: 'logits' });
  const { readFile, readdir, cp } = await import('node:fs/promises');
  const json = await readFile(join(good, 'model.json'), 'utf8');
  const bin = (await readdir(good)).find((f) => f.endsWith('.bin'))!;
  const weights = await readFile(join(good, bin));
  const out: FaultCase[] = [];
  const variant = async (name: string, change: (dir: string) => Promise<void>) => {
    const dir = join(base, `m${out.length}`);
    await cp(good, dir, { recursive: true });
    await change(dir);
    out.push({ category: 'saved model', name, codes: ['E_MODEL_FORMAT'], run: () => loadModel(dir), guard: dir });
  };
  const { rm } = await import('node:fs/promises');
  await variant('no model.json', (d) => rm(join(d, 'model.json')));
  for (const n of cuts(json.length, 12)) await variant(`model.json cut to ${n} characters`, (d) => writeFile(join(d, 'model.json'), json.slice(0, n)));
  await variant('model.json without yolo-ts metadata', (d) => writeFile(join(d, 'model.json'), json.replace('"yolots"', '"other"')));
  for (const n of cuts(weights.length, 6)) await variant(`weights cut to ${n} bytes`, (d) => writeFile(join(d, bin), weights.subarray(0, n)));
  await variant('weights file missing', (d) => rm(join(d, bin)));
  await variant('a weight of another shape', (d) => writeFile(join(d, 'model.json'), json.replace(/"shape":\[3,3,1,32\]/, '"shape":[3,3,1,16]')));
  await variant('an unknown layer', (d) => writeFile(join(d, 'model.json'), json.replace('"class_name":"Flatten"', '"class_name":"SomebodysLayer"')));
  return out;
}

/** The user settings file: not JSON, wrong types, unknown keys. */
export function settingsCases(): Promise<FaultCase[]> {
  const texts: [string, string][] = [
    ['not JSON', '{ datasets_dir: '],
    ['a JSON list', '[1, 2]'],
    ['datasets_dir a number', '{"datasets_dir": 5}'],
    ['plugins a string', '{"plugins": "yolo-ts-plugin-x"}'],
    ['an unknown key', '{"dataset_dir": "x"}'],
    ['empty file', ''],
  ];
  return textFileCases('settings file', 'settings.json', texts, ['E_CONFIG'], async (file) => readUserSettings(file));
}

/** CLI values: for every setting, values of the wrong kind or range; and misspelt keys. */
export function cliCases(): FaultCase[] {
  const bad: Record<string, string[]> = { int: ['abc', '1.5', '-7'], number: ['abc', '-3'], fraction: ['abc', '1.5', '-0.1'], bool: ['maybe', '2'], choice: ['nonsense'] };
  const out: FaultCase[] = [];
  for (const [key, setting] of Object.entries(SETTINGS)) {
    for (const value of bad[setting.kind] ?? []) {
      if (setting.kind === 'int' && value === '-7' && ('min' in setting ? (setting.min as number) : -Infinity) <= -7) continue;
      if (setting.kind === 'number' && value === '-3' && !('min' in setting)) continue;
      out.push({ category: 'CLI value', name: `${key}=${value}`, codes: ['E_CONFIG'], run: async () => resolveConfig({ [key]: value }, {}, () => {}) });
    }
  }
  for (const key of ['epoch', 'lr', 'imgsize', 'batchsize', 'optimiser', 'devices', 'modle', 'datas']) {
    out.push({ category: 'CLI key', name: `${key}=1`, codes: ['E_CONFIG'], run: async () => resolveConfig({ [key]: '1' }, {}, () => {}) });
  }
  return out;
}
