import { describe, expect, it } from 'vitest';
import { eraseInto, randomAffine, resizeAffine, warpInto, type Augmentation } from './augment.js';
import { seededRandom } from './batches.js';
import { elasticField, elasticScratchSize } from './elastic.js';

const none: Augmentation = { fliplr: 0, degrees: 0, translate: 0, scale: 0, erasing: 0, elastic: 0 };

/** A w×h×c image whose every value differs, so a misplaced pixel shows. */
function ramp(w: number, h: number, c = 1): Uint8Array {
  return Uint8Array.from({ length: w * h * c }, (_, i) => (i * 7 + 3) % 251);
}

function warp(src: Uint8Array, w: number, h: number, c: number, map: ReturnType<typeof resizeAffine>, out: number): number[] {
  const dst = new Float32Array(out * out * c);
  warpInto(src, w, h, c, map, out, dst, 0);
  return Array.from(dst, (v) => Math.round(v * 1e4) / 1e4);
}

/** A "random" source that returns the given draws in turn. */
const draws = (...values: number[]) => () => values.shift()!;

describe('random erasing', () => {
  /** The bounding box of the zeroed pixels of an out×out×c image of ones, and how many there are. */
  function erased(out: number, c: number, p: number, random: () => number) {
    const img = new Float32Array(out * out * c).fill(1);
    eraseInto(img, 0, out, c, p, random);
    let [top, left, bottom, right, zeros] = [out, out, -1, -1, 0];
    img.forEach((v, i) => {
      if (v !== 0) return;
      zeros++;
      const [r, col] = [Math.floor(i / (out * c)), Math.floor(i / c) % out];
      [top, left, bottom, right] = [Math.min(top, r), Math.min(left, col), Math.max(bottom, r), Math.max(right, col)];
    });
    return { zeros, box: zeros ? (bottom - top + 1) * (right - left + 1) * c : 0 };
  }

  it('blanks one rectangle of 2–33% of the image in every channel, as torchvision draws it', () => {
    const random = seededRandom(5);
    const areas: number[] = [];
    for (let i = 0; i < 300; i++) {
      const { zeros, box } = erased(28, 3, 1, random);
      expect(zeros).toBe(box); // a filled rectangle across all channels
      areas.push(zeros / 3 / (28 * 28));
    }
    // h and w are rounded, so the area may stray a little past 2–33%
    expect(Math.min(...areas)).toBeGreaterThanOrEqual(0.01);
    expect(Math.max(...areas)).toBeLessThanOrEqual(0.36);
    expect(Math.max(...areas) - Math.min(...areas)).toBeGreaterThan(0.2);
  });

  it('erases with probability p and never at p = 0', () => {
    const random = seededRandom(6);
    let hits = 0;
    for (let i = 0; i < 1000; i++) if (erased(28, 1, 0.4, random).zeros > 0) hits++;
    expect(hits).toBeGreaterThan(340);
    expect(hits).toBeLessThan(460);
    expect(erased(28, 1, 0, () => 0).zeros).toBe(0);
  });
});

describe('augmentation warp', () => {
  it('copies the image exactly when nothing is drawn and the size is kept', () => {
    const src = ramp(5, 5, 3);
    expect(warp(src, 5, 5, 3, resizeAffine(5, 5, 5), 5)).toEqual(Array.from(src));
    expect(warp(src, 5, 5, 3, randomAffine(5, 5, 5, none, seededRandom(1)), 5)).toEqual(Array.from(src));
  });

  it('mirrors left–right exactly with fliplr = 1', () => {
    const [w, c] = [4, 2];
    const src = ramp(w, w, c);
    const mirrored = Array.from({ length: w * w * c }, (_, i) => {
      const [r, col, ch] = [Math.floor(i / (w * c)), Math.floor(i / c) % w, i % c];
      return src[(r * w + (w - 1 - col)) * c + ch]!;
    });
    expect(warp(src, w, w, c, randomAffine(w, w, w, { ...none, fliplr: 1 }, seededRandom(2)), w)).toEqual(mirrored);
  });

  it('rotates by 180° about the centre when the angle draw is at its end', () => {
    const w = 5;
    const src = ramp(w, w);
    // draws: angle (1 → +degrees), tx and ty (0.5 → no shift)
    const map = randomAffine(w, w, w, { ...none, degrees: 180 }, draws(1, 0.5, 0.5));
    expect(warp(src, w, w, 1, map, w)).toEqual(Array.from(src).reverse());
  });

  it('shifts by whole pixels and fills what enters from outside with 0', () => {
    const w = 10;
    const src = ramp(w, w);
    // translate 0.1 of 10 px: the draws 1 and 0 give +1 px and −1 px.
    const got = warp(src, w, w, 1, randomAffine(w, w, w, { ...none, translate: 0.1 }, draws(0.5, 1, 0)), w);
    for (let r = 0; r < w; r++) {
      for (let col = 0; col < w; col++) {
        // output(r, col) = source(r + 1, col − 1): the content moved right by 1 and up by 1
        const [sr, sc] = [r + 1, col - 1];
        const want = sr < w && sc >= 0 ? src[sr * w + sc]! : 0;
        expect(got[r * w + col]).toBeCloseTo(want, 3);
      }
    }
  });

  it('keeps random resized crops inside the image and zooms in', () => {
    const random = seededRandom(3);
    for (let i = 0; i < 200; i++) {
      const m = randomAffine(28, 28, 28, { ...none, scale: 0.5 }, random);
      for (const [u, v] of [[0, 0], [28, 0], [0, 28], [28, 28]]) {
        const [x, y] = [m.a * u! + m.b * v! + m.c, m.d * u! + m.e * v! + m.f];
        expect(x).toBeGreaterThanOrEqual(-1e-9);
        expect(x).toBeLessThanOrEqual(28 + 1e-9);
        expect(y).toBeGreaterThanOrEqual(-1e-9);
        expect(y).toBeLessThanOrEqual(28 + 1e-9);
      }
      const area = Math.abs(m.a * m.e - m.b * m.d) * 28 * 28; // the crop's area in source pixels
      expect(area).toBeGreaterThanOrEqual(0.5 * 28 * 28 - 1e-6);
      expect(area).toBeLessThanOrEqual(28 * 28 + 1e-6);
    }
  });

  it('resizes bilinearly with half-pixel centres: 2× down averages 2×2 blocks', () => {
    const src = ramp(4, 4);
    const got = warp(src, 4, 4, 1, resizeAffine(4, 4, 2), 2);
    const block = (r: number, c: number) => (src[r * 4 + c]! + src[r * 4 + c + 1]! + src[(r + 1) * 4 + c]! + src[(r + 1) * 4 + c + 1]!) / 4;
    expect(got).toEqual([block(0, 0), block(0, 2), block(2, 0), block(2, 2)]);
  });
});

describe('elastic distortion', () => {
  function field(out: number, strength: number, random: () => number): Float32Array {
    const f = new Float32Array(2 * out * out);
    elasticField(out, strength, random, f, new Float32Array(elasticScratchSize(out)));
    return f;
  }

  it('moves pixels by a smooth field whose RMS is strength × side', () => {
    const random = seededRandom(7);
    let [sum2, n, neighbour, far] = [0, 0, 0, 0];
    for (let k = 0; k < 200; k++) {
      const f = field(28, 0.05, random);
      for (let i = 0; i < f.length; i++) sum2 += f[i]! ** 2;
      n += f.length;
      // correlation of dx with its right neighbour (smooth) and with the pixel 14 columns on (nearly independent)
      for (let y = 0; y < 28; y++) {
        neighbour += f[2 * (y * 28 + 10)]! * f[2 * (y * 28 + 11)]!;
        far += f[2 * (y * 28 + 0)]! * f[2 * (y * 28 + 14)]!;
      }
    }
    const rms = Math.sqrt(sum2 / n);
    expect(rms).toBeGreaterThan(0.05 * 28 * 0.9);
    expect(rms).toBeLessThan(0.05 * 28 * 1.1);
    const variance = (rms * rms * 200 * 28);
    expect(neighbour / variance).toBeGreaterThan(0.9);
    expect(Math.abs(far / variance)).toBeLessThan(0.25);
  });

  it('is the plain warp under a zero field, and the field displaces the sampled point', () => {
    const w = 10;
    const src = ramp(w, w);
    const plain = new Float32Array(w * w);
    warpInto(src, w, w, 1, resizeAffine(w, w, w), w, plain, 0);
    const zero = new Float32Array(w * w);
    warpInto(src, w, w, 1, resizeAffine(w, w, w), w, zero, 0, new Float32Array(2 * w * w));
    expect(zero).toEqual(plain);
    // a field of (+1, 0) everywhere samples one pixel to the right
    const shifted = new Float32Array(w * w);
    const f = new Float32Array(2 * w * w).map((_, i) => (i % 2 === 0 ? 1 : 0));
    warpInto(src, w, w, 1, resizeAffine(w, w, w), w, shifted, 0, f);
    for (let r = 0; r < w; r++) for (let col = 0; col < w; col++) expect(shifted[r * w + col]).toBeCloseTo(col + 1 < w ? src[r * w + col + 1]! : 0, 3);
  });
});
