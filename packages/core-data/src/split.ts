import { DataFormatError } from './errors.js';
import { parseIdx } from './idx.js';

/** One split of an image-classification dataset, held as contiguous uint8 pixels (NHWC). */
export interface ImageSplit {
  /** count × height × width × channels bytes, 0 = background. */
  images: Uint8Array;
  /** One class index per image. */
  labels: Int32Array;
  count: number;
  height: number;
  width: number;
  channels: number;
}

/** A dataset ready for training: class names and its splits. `val` falls back to `test` where absent. */
export interface LoadedDataset {
  name: string;
  classes: string[];
  train: ImageSplit;
  val?: ImageSplit;
  test?: ImageSplit;
}

/**
 * Builds an ImageSplit from parsed IDX images [N, H, W] and labels [N], checking that they agree. Labels in the
 * file start at `firstLabel` (EMNIST letters: 1) and become class indices from 0.
 */
export function splitFromIdx(images: { dims: number[]; data: Uint8Array }, labels: { dims: number[]; data: Uint8Array }, numClasses: number, source: string, firstLabel = 0): ImageSplit {
  if (images.dims.length !== 3) throw new DataFormatError(`${source}: images must have 3 dims [N, H, W], found [${images.dims.join(', ')}]`);
  if (labels.dims.length !== 1) throw new DataFormatError(`${source}: labels must have 1 dim [N], found [${labels.dims.join(', ')}]`);
  const [count, height, width] = images.dims as [number, number, number];
  if (labels.dims[0] !== count) throw new DataFormatError(`${source}: ${count} images but ${labels.dims[0]} labels`);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const l = labels.data[i]! - firstLabel;
    if (l < 0 || l >= numClasses) throw new DataFormatError(`${source}: label ${labels.data[i]} at index ${i} is outside the ${numClasses} classes`);
    out[i] = l;
  }
  return { images: images.data, labels: out, count, height, width, channels: 1 };
}

/** Parses an IDX image file [N, H, W] and its IDX label file [N] (the MNIST family's pair) into a split. */
export function idxSplit(images: Uint8Array, labels: Uint8Array, numClasses: number, source: string, firstLabel = 0): ImageSplit {
  return splitFromIdx(parseIdx(images, `${source} images`), parseIdx(labels, `${source} labels`), numClasses, source, firstLabel);
}

/**
 * Reads a dataset published as IDX pairs, e.g. `{ train: ['train-images.gz', 'train-labels.gz'], test: [...] }`,
 * through `read` (a file name → its decompressed bytes). Errors name `dataset` and the split.
 */
export async function readIdxSplits<S extends string>(
  read: (name: string) => Promise<Uint8Array>,
  pairs: Record<S, readonly [images: string, labels: string]>,
  numClasses: number,
  options: { dataset: string; firstLabel?: number },
): Promise<Record<S, ImageSplit>> {
  const out = {} as Record<S, ImageSplit>;
  for (const [split, [images, labels]] of Object.entries(pairs) as [S, readonly [string, string]][]) {
    out[split] = idxSplit(await read(images), await read(labels), numClasses, `${options.dataset} ${split}`, options.firstLabel);
  }
  return out;
}

/** The images at `indices`, in that order, as a new split. */
export function selectIndices(split: ImageSplit, indices: ArrayLike<number>): ImageSplit {
  const size = split.height * split.width * split.channels;
  const images = new Uint8Array(indices.length * size);
  const labels = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    images.set(split.images.subarray(i * size, (i + 1) * size), k * size);
    labels[k] = split.labels[i]!;
  }
  return { ...split, images, labels, count: indices.length };
}

/** Indices of the first `perClass` images of each class, in file order (how MNIST160 is defined). */
export function firstPerClass(labels: Int32Array, numClasses: number, perClass: number): number[] {
  const taken = new Array<number>(numClasses).fill(0);
  const out: number[] = [];
  for (let i = 0; i < labels.length && out.length < numClasses * perClass; i++) {
    const l = labels[i]!;
    if (taken[l]! < perClass) {
      taken[l]!++;
      out.push(i);
    }
  }
  return out;
}

/** Number of images per class index. */
export function classCounts(split: ImageSplit, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (const l of split.labels) counts[l]!++;
  return counts;
}
