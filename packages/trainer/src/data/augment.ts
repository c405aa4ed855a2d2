/**
 * Training-time geometric augmentation: every image is warped once, straight from its uint8 pixels to the float
 * batch at `imgsz` (which also does the resize), by an affine map composed of
 *   - Ultralytics' classify crop: RandomResizedCrop over an area fraction in [1 − scale, 1] and an aspect ratio
 *     in [3/4, 4/3] (torchvision's sampling), scaled back to the full size;
 *   - a rotation of up to ±degrees and a shift of up to ±translate of the side (the keys of Ultralytics'
 *     RandomPerspective, which its classify pipeline lacks; digits need them more than crops);
 *   - a left–right flip with probability fliplr;
 *   - optionally, before all of these, an elastic distortion (`elastic.ts`).
 * Pixels that fall outside the source are 0 (the black background of the MNIST family). Sampling is bilinear.
 * Then, with probability erasing, Ultralytics' random erasing blanks a rectangle of the warped image.
 */
export interface Augmentation {
  fliplr: number;
  degrees: number;
  translate: number;
  scale: number;
  erasing: number;
  /** RMS of the elastic displacement as a fraction of the side; 0 = none. */
  elastic: number;
}

/** The inverse map: source x = a·u + b·v + c, source y = d·u + e·v + f, for output pixel centres (u, v). */
interface Affine {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
}

export function isIdentity(aug: Augmentation): boolean {
  return aug.fliplr === 0 && aug.degrees === 0 && aug.translate === 0 && aug.scale === 0 && aug.erasing === 0 && aug.elastic === 0;
}

/**
 * The rectangle draw that torchvision's RandomResizedCrop and RandomErasing share: an area uniform in
 * [lo, lo + span]·`total` and an aspect ratio log-uniform in [rLo, rHi] (drawn in that order), as
 * [√(area·ratio), √(area/ratio)].
 */
function drawRectangle(total: number, lo: number, span: number, rLo: number, rHi: number, random: () => number): [number, number] {
  const area = total * (lo + span * random());
  const ratio = Math.exp(Math.log(rLo) + (Math.log(rHi) - Math.log(rLo)) * random());
  return [Math.sqrt(area * ratio), Math.sqrt(area / ratio)];
}

/** torchvision's RandomResizedCrop.get_params, in continuous coordinates: [x0, y0, width, height]. */
function randomCrop(w: number, h: number, scale: number, random: () => number): [number, number, number, number] {
  if (scale <= 0) return [0, 0, w, h];
  for (let attempt = 0; attempt < 10; attempt++) {
    const [cw, ch] = drawRectangle(w * h, 1 - scale, scale, 3 / 4, 4 / 3, random);
    if (cw <= w && ch <= h) return [random() * (w - cw), random() * (h - ch), cw, ch];
  }
  return [0, 0, w, h];
}

/** Draws one image's map from output pixels (size `out`) back into its `w`×`h` source. */
export function randomAffine(w: number, h: number, out: number, aug: Augmentation, random: () => number): Affine {
  const crop = randomCrop(w, h, aug.scale, random);
  const angle = ((2 * random() - 1) * aug.degrees * Math.PI) / 180;
  const tx = (2 * random() - 1) * aug.translate * out;
  const ty = (2 * random() - 1) * aug.translate * out;
  return affine(out, crop, angle, tx, ty, aug.fliplr > 0 && random() < aug.fliplr);
}

/** The plain resize of a `w`×`h` image to `out`×`out`. */
export function resizeAffine(w: number, h: number, out: number): Affine {
  return affine(out, [0, 0, w, h], 0, 0, 0, false);
}

/** Output point p → undo the flip → undo the shift and the rotation about the centre → crop frame → source. */
function affine(out: number, [x0, y0, cw, ch]: [number, number, number, number], angle: number, tx: number, ty: number, flip: boolean): Affine {
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const half = out / 2;
  const sx = cw / out;
  const sy = ch / out;
  const fu = flip ? -1 : 1; // unflipped u = flip ? out − u : u
  const cu = flip ? out : 0;
  // q = R⁻¹ (p − half − t) + half, with R⁻¹ = [[cos, sin], [−sin, cos]]
  const qc = cos * (cu - half - tx) + sin * (-half - ty) + half;
  const qf = -sin * (cu - half - tx) + cos * (-half - ty) + half;
  return { a: sx * cos * fu, b: sx * sin, c: sx * qc + x0, d: -sy * sin * fu, e: sy * cos, f: sy * qf + y0 };
}

/**
 * Writes `src` (h×w×c uint8) warped by `m` into `dst` at `offset` as out×out×c floats of 0–255. Coordinates are
 * of pixel centres: output pixel (i, j) is the point (j + ½, i + ½), moved first by `field` (dx, dy per pixel) if given.
 */
export function warpInto(src: Uint8Array, w: number, h: number, c: number, m: Affine, out: number, dst: Float32Array, offset: number, field?: Float32Array): void {
  let o = offset;
  for (let i = 0; i < out; i++) {
    for (let j = 0; j < out; j++, o += c) {
      const u = j + 0.5 + (field ? field[2 * (i * out + j)]! : 0);
      const v = i + 0.5 + (field ? field[2 * (i * out + j) + 1]! : 0);
      const x = m.a * u + m.b * v + m.c - 0.5;
      const y = m.d * u + m.e * v + m.f - 0.5;
      const xf = Math.floor(x);
      const yf = Math.floor(y);
      const ax = x - xf;
      const ay = y - yf;
      if (xf < -1 || yf < -1 || xf >= w || yf >= h) {
        for (let ch = 0; ch < c; ch++) dst[o + ch] = 0;
        continue;
      }
      const w00 = (1 - ax) * (1 - ay);
      const w01 = ax * (1 - ay);
      const w10 = (1 - ax) * ay;
      const w11 = ax * ay;
      const inX0 = xf >= 0;
      const inX1 = xf + 1 < w;
      const inY0 = yf >= 0;
      const inY1 = yf + 1 < h;
      const p00 = (yf * w + xf) * c;
      for (let ch = 0; ch < c; ch++) {
        let s = 0;
        if (inY0 && inX0) s += w00 * src[p00 + ch]!;
        if (inY0 && inX1) s += w01 * src[p00 + c + ch]!;
        if (inY1 && inX0) s += w10 * src[p00 + w * c + ch]!;
        if (inY1 && inX1) s += w11 * src[p00 + w * c + c + ch]!;
        dst[o + ch] = s;
      }
    }
  }
}

/**
 * torchvision's RandomErasing with its defaults, as Ultralytics' classify pipeline applies it after normalising
 * (mean 0, std 1, so the value 0 is a black pixel): with probability `p`, a rectangle of 2–33% of the image's
 * area and aspect ratio 0.3–3.3 (10 tries to fit) is set to 0 in every channel of the out×out×c image at `offset`.
 */
export function eraseInto(dst: Float32Array, offset: number, out: number, c: number, p: number, random: () => number): void {
  if (p <= 0 || random() >= p) return;
  for (let attempt = 0; attempt < 10; attempt++) {
    const [h, w] = drawRectangle(out * out, 0.02, 0.31, 0.3, 3.3, random).map(Math.round) as [number, number];
    if (h >= out || w >= out) continue;
    const top = Math.floor(random() * (out - h + 1));
    const left = Math.floor(random() * (out - w + 1));
    for (let i = top; i < top + h; i++) dst.fill(0, offset + (i * out + left) * c, offset + (i * out + left + w) * c);
    return;
  }
}
