import { encodeIdx } from '../idx.js';

/**
 * A small IDX pair in the MNIST family's format: `count` images of `height`×`width` whose pixels encode their
 * index (pixel (r, c) of image i = (i + 7r + 3c) mod 256, so any reordering or transposition shows), and
 * labels `labelOf(i)` (default i mod numClasses).
 */
export function idxFixture(count: number, numClasses: number, options: { height?: number; width?: number; labelOf?: (i: number) => number } = {}) {
  const { height = 28, width = 28, labelOf = (i: number) => i % numClasses } = options;
  const pixels = new Uint8Array(count * height * width);
  for (let i = 0; i < count; i++) {
    for (let r = 0; r < height; r++) for (let c = 0; c < width; c++) pixels[(i * height + r) * width + c] = (i + 7 * r + 3 * c) % 256;
  }
  const labels = Uint8Array.from({ length: count }, (_, i) => labelOf(i));
  return { images: encodeIdx([count, height, width], pixels), labels: encodeIdx([count], labels), pixels, labelValues: labels };
}
