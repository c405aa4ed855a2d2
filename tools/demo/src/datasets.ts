import { parseIdx, splitFromIdx, type ImageSplit } from '@yolo-ts/core-data';

/** A split with its class names, as the page hands it to the training worker. */
export interface NamedSplit {
  split: ImageSplit;
  names: string[];
}

/** gzip-compressed bytes are inflated with the browser's own DecompressionStream. */
async function inflate(bytes: Uint8Array): Promise<Uint8Array> {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** An images/labels pair of IDX files (gzip or not), as MNIST, Fashion-MNIST and EMNIST ship them. */
export async function idxSplit(images: Uint8Array, labels: Uint8Array, source: string, names?: string[]): Promise<NamedSplit> {
  const [x, y] = [parseIdx(await inflate(images), `${source} images`), parseIdx(await inflate(labels), `${source} labels`)];
  const classes = names ?? Array.from({ length: Math.max(...y.data) + 1 }, (_, i) => String(i));
  return { split: splitFromIdx(x, y, classes.length, source), names: classes };
}

/** The first of `urls` that answers, as bytes. */
async function fetchFirst(urls: string[]): Promise<Uint8Array> {
  for (const url of urls) {
    const response = await fetch(url);
    // A dev server answers a missing file with its index.html: that is not the file either.
    if (response.ok && !response.headers.get('content-type')?.includes('text/html')) return new Uint8Array(await response.arrayBuffer());
  }
  throw new Error(`cannot fetch ${urls.join(' or ')}`);
}

/**
 * A folder of IDX files named as MNIST's (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-…, each plain or
 * `.gz`) at `base`, a URL relative to the page or absolute (the server must allow the page: same origin or CORS).
 */
export async function idxFolder(base: string, names?: string[]): Promise<{ train: NamedSplit; test?: NamedSplit }> {
  const root = base.replace(/\/+$/, '');
  const file = (name: string) => [`${root}/${name}`, `${root}/${name}.gz`];
  const load = async (split: 'train' | 't10k') => idxSplit(await fetchFirst(file(`${split}-images-idx3-ubyte`)), await fetchFirst(file(`${split}-labels-idx1-ubyte`)), `${root} ${split}`, names);
  const train = await load('train');
  return { train, test: await load('t10k').catch(() => undefined) };
}

/** The built-in mnist160 (public/generated/data, written by scripts/prepare-assets.mjs). */
export async function mnist160(): Promise<{ train: NamedSplit; test?: NamedSplit }> {
  const base = 'generated/data/mnist160';
  return idxFolder(base, (await (await fetch(`${base}/names.json`)).json()) as string[]);
}

/** MNIST-style IDX files the user picked: `*-images*`/`*-labels*` for train (and t10k/test, optional). */
export async function pickedIdx(files: File[]): Promise<{ train: NamedSplit; test?: NamedSplit }> {
  const find = (test: boolean, kind: 'images' | 'labels') => files.find((f) => /t10k|test/i.test(f.name) === test && f.name.toLowerCase().includes(kind === 'images' ? 'images' : 'labels'));
  const pair = async (test: boolean) => {
    const [images, labels] = [find(test, 'images'), find(test, 'labels')];
    if (!images || !labels) return undefined;
    return idxSplit(new Uint8Array(await images.arrayBuffer()), new Uint8Array(await labels.arrayBuffer()), test ? images.name : labels.name.replace(/labels/, 'images'));
  };
  const train = await pair(false);
  if (!train) throw new Error('pick the training images and labels IDX files (e.g. train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz)');
  return { train, test: await pair(true) };
}

/** Every file under a dropped directory entry, with its path parts below the root. */
async function filesBelow(entry: FileSystemEntry, path: string[] = []): Promise<{ path: string[]; file: File }[]> {
  if (entry.isFile) return [{ path, file: await new Promise<File>((ok, fail) => (entry as FileSystemFileEntry).file(ok, fail)) }];
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const entries: FileSystemEntry[] = [];
  for (let batch: FileSystemEntry[]; (batch = await new Promise((ok, fail) => reader.readEntries(ok, fail))).length; ) entries.push(...batch);
  return (await Promise.all(entries.map((e) => filesBelow(e, [...path, e.name])))).flat();
}

/** An image file as `size`×`size` grayscale bytes (luminance), resized by the browser. */
async function grayscale(file: File, size: number): Promise<Uint8Array> {
  const bitmap = await createImageBitmap(file);
  const canvas = new OffscreenCanvas(size, size);
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(bitmap, 0, 0, size, size);
  const { data } = ctx.getImageData(0, 0, size, size);
  return Uint8Array.from({ length: size * size }, (_, i) => Math.round(0.299 * data[i * 4]! + 0.587 * data[i * 4 + 1]! + 0.114 * data[i * 4 + 2]!));
}

/**
 * A dropped folder laid out as `data=folder` expects: one subfolder per class, or train/ and val/ (or test/) each
 * with one subfolder per class. Files that are not images are skipped.
 */
export async function droppedFolder(root: FileSystemEntry, size = 28): Promise<{ train: NamedSplit; test?: NamedSplit }> {
  const files = (await filesBelow(root)).filter((f) => /\.(png|jpe?g|gif|webp|bmp)$/i.test(f.file.name) && f.path.length >= 2);
  const splitOf = (p: string[]) => (p.length >= 3 && /^(train|val|test)$/.test(p[0]!) ? p[0]! : 'train');
  const classOf = (p: string[]) => (p.length >= 3 && /^(train|val|test)$/.test(p[0]!) ? p[1]! : p[0]!);
  const names = [...new Set(files.map((f) => classOf(f.path)))].sort();
  if (names.length < 2) throw new Error(`the folder needs at least two class subfolders with images; found ${names.length}`);
  const build = async (which: string[]): Promise<NamedSplit | undefined> => {
    const chosen = files.filter((f) => which.includes(splitOf(f.path)));
    if (chosen.length === 0) return undefined;
    const images = new Uint8Array(chosen.length * size * size);
    const labels = new Int32Array(chosen.length);
    for (const [i, f] of chosen.entries()) {
      images.set(await grayscale(f.file, size), i * size * size);
      labels[i] = names.indexOf(classOf(f.path));
    }
    return { split: { images, labels, count: chosen.length, height: size, width: size, channels: 1 }, names };
  };
  return { train: (await build(['train']))!, test: await build(['val', 'test']) };
}
