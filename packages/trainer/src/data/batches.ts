import * as tf from '@tensorflow/tfjs';
import type { ImageSplit } from '@yolo-ts/core-data';
import { eraseInto, isIdentity, randomAffine, resizeAffine, warpInto, type Augmentation } from './augment.js';
import { elasticField, elasticScratchSize } from './elastic.js';

/** Small, fast, seedable PRNG (mulberry32): the same seed gives the same shuffles on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit seed mixed from several integers (murmur3's finalizer on each step), for per-epoch and per-image streams. */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** The order of epoch `epoch`'s training images: a function of the seed and the epoch only, so a resumed run repeats it. */
export function epochOrder(count: number, seed: number, epoch: number): Int32Array {
  return shuffledIndices(count, seededRandom(mixSeed(seed, 1, epoch)));
}

/**
 * The augmentation stream of the image at `position` of epoch `epoch`'s order: the same whichever replica or
 * step gathers it, so runs with 1 or N replicas, or resumed mid-run, augment every image alike.
 */
export function imageRandom(seed: number, epoch: number, position: number): () => number {
  return seededRandom(mixSeed(seed, 2, epoch, position));
}

/** A random permutation of 0..n-1 (Fisher–Yates). */
export function shuffledIndices(n: number, random: () => number): Int32Array {
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx;
}

export interface BatchOptions {
  /** Output side in pixels; images of another size are resampled bilinearly (half-pixel centres). */
  imgsz: number;
  /** Training-time augmentation; none when absent. */
  augment?: Augmentation;
  /** The augmentation stream of the k-th image of the batch; required with `augment`. */
  random?: (k: number) => () => number;
}

/**
 * The images at `indices` as a float32 NHWC tensor of raw 0–255 pixels (the models rescale), plus int32 labels.
 * Each image goes from its uint8 source to the float batch in one pass: a copy, or one warp that resizes and
 * augments together.
 */
export function gatherBatch(split: ImageSplit, indices: ArrayLike<number>, options: BatchOptions): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const { height: h, width: w, channels: c } = split;
  const size = h * w * c;
  const out = options.imgsz;
  const outSize = out * out * c;
  const pixels = new Float32Array(indices.length * outSize);
  const labels = new Int32Array(indices.length);
  const augment = options.augment && !isIdentity(options.augment) ? options.augment : undefined;
  const plain = !augment && h === out && w === out;
  const field = augment?.elastic ? new Float32Array(2 * out * out) : undefined;
  const scratch = field ? new Float32Array(elasticScratchSize(out)) : undefined;
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    const src = split.images.subarray(i * size, (i + 1) * size);
    if (plain) pixels.set(src, k * outSize);
    else if (!augment) warpInto(src, w, h, c, resizeAffine(w, h, out), out, pixels, k * outSize);
    else {
      const random = options.random!(k);
      const map = randomAffine(w, h, out, augment, random);
      if (field) elasticField(out, augment.elastic, random, field, scratch!);
      warpInto(src, w, h, c, map, out, pixels, k * outSize, field);
      eraseInto(pixels, k * outSize, out, c, augment.erasing, random);
    }
    labels[k] = split.labels[i]!;
  }
  return { x: tf.tensor4d(pixels, [indices.length, out, out, c]), y: tf.tensor1d(labels, 'int32') };
}
