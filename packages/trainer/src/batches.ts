import * as tf from '@tensorflow/tfjs';
import type { ImageSplit } from '@yolo-ts/core-data';

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
  /** Output side in pixels; images of another size are resized bilinearly. */
  imgsz: number;
  /** Probability of mirroring each image left–right (training only). */
  fliplr?: number;
  random?: () => number;
}

/**
 * The images at `indices` as a float32 NHWC tensor of raw 0–255 pixels (the models rescale), plus int32 labels.
 * Gathering and flips run on the uint8 source, so only one float copy of the batch is made.
 */
export function gatherBatch(split: ImageSplit, indices: ArrayLike<number>, options: BatchOptions): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const { height: h, width: w, channels: c } = split;
  const size = h * w * c;
  const pixels = new Float32Array(indices.length * size);
  const labels = new Int32Array(indices.length);
  const flip = options.fliplr ?? 0;
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    const src = split.images.subarray(i * size, (i + 1) * size);
    const dst = k * size;
    if (flip > 0 && options.random!() < flip) {
      for (let r = 0; r < h; r++) {
        for (let col = 0; col < w; col++) {
          for (let ch = 0; ch < c; ch++) pixels[dst + (r * w + col) * c + ch] = src[(r * w + (w - 1 - col)) * c + ch]!;
        }
      }
    } else {
      for (let p = 0; p < size; p++) pixels[dst + p] = src[p]!;
    }
    labels[k] = split.labels[i]!;
  }
  const y = tf.tensor1d(labels, 'int32');
  if (h === options.imgsz && w === options.imgsz) return { x: tf.tensor4d(pixels, [indices.length, h, w, c]), y };
  const x = tf.tidy(() => tf.image.resizeBilinear(tf.tensor4d(pixels, [indices.length, h, w, c]), [options.imgsz, options.imgsz]));
  return { x, y };
}
