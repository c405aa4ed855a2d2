/**
 * A drawing (or any grayscale image) made into an MNIST-style digit, as MNIST's images were made: the ink's bounding
 * box scaled, keeping its aspect, to fit a 20×20 box (area averaging), then placed in a 28×28 image so that its centre
 * of mass is at the centre. White on black, 0–255. `pixels` is row-major, one value per pixel (ink = high); the
 * result is `size`×`size` (28 for MNIST; the 20/28 proportions are kept for other sizes).
 */
export function mnistPreprocess(pixels: ArrayLike<number>, width: number, height: number, size = 28): Float32Array {
  const out = new Float32Array(size * size);
  let [x0, y0, x1, y1] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (pixels[y * width + x]! > 0) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  if (x1 < 0) return out; // no ink
  const box = (size * 20) / 28;
  const scale = box / Math.max(x1 - x0 + 1, y1 - y0 + 1);
  const bw = Math.max(1, Math.round((x1 - x0 + 1) * scale));
  const bh = Math.max(1, Math.round((y1 - y0 + 1) * scale));
  // Area-average the box into bw×bh (each target pixel averages the source pixels whose centres fall in it).
  const small = new Float32Array(bw * bh);
  const count = new Float32Array(bw * bh);
  for (let y = y0; y <= y1; y++) {
    const ty = Math.min(bh - 1, Math.floor((y - y0 + 0.5) * scale));
    for (let x = x0; x <= x1; x++) {
      const t = ty * bw + Math.min(bw - 1, Math.floor((x - x0 + 0.5) * scale));
      small[t]! += pixels[y * width + x]!;
      count[t]!++;
    }
  }
  let [mass, mx, my] = [0, 0, 0];
  for (let i = 0; i < small.length; i++) {
    if (count[i]! > 0) small[i]! /= count[i]!;
    mass += small[i]!;
    mx += small[i]! * ((i % bw) + 0.5);
    my += small[i]! * (Math.floor(i / bw) + 0.5);
  }
  // Shift so the centre of mass lands on the image centre, kept inside the frame.
  const left = Math.round(Math.min(size - bw, Math.max(0, size / 2 - mx / mass)));
  const top = Math.round(Math.min(size - bh, Math.max(0, size / 2 - my / mass)));
  for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) out[(top + y) * size + left + x] = Math.min(255, small[y * bw + x]!);
  return out;
}
