import type { DecodedImage } from '@yolo-ts/core-data';
import { escapeXml, pngDataUri, svgToJpeg } from './render.js';

/** Annotated images are at least this many pixels on their shorter side: a 28-px digit is drawn ×10. */
const MIN_SIDE = 280;

/**
 * An image with lines of text (a prediction's top-5) drawn on it as Ultralytics' plot does for classification:
 * top-left, one line each, here on a translucent box so that they read on any image. Small images are scaled up
 * without smoothing. Laid out as SVG, drawn by resvg, encoded as JPEG.
 */
export function annotatedImage(image: DecodedImage, lines: readonly string[]): Buffer {
  const scale = Math.max(1, Math.ceil(MIN_SIDE / Math.min(image.width, image.height)));
  const [w, h] = [image.width * scale, image.height * scale];
  const size = Math.max(12, Math.round(Math.min(w, h) * 0.06));
  const pad = Math.round(size * 0.4);
  const boxWidth = Math.min(w - pad, Math.max(...lines.map((l) => l.length)) * size * 0.62 + 2 * pad);
  const text = lines.map((l, i) => `<text x="${2 * pad}" y="${2 * pad + (i + 0.85) * size * 1.2}" font-size="${size}" font-family="DejaVu Sans" fill="white">${escapeXml(l)}</text>`);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">` +
    `<image width="${w}" height="${h}" image-rendering="optimizeSpeed" href="${pngDataUri(image)}"/>` +
    `<rect x="${pad}" y="${pad}" width="${boxWidth}" height="${lines.length * size * 1.2 + 2 * pad}" fill="black" fill-opacity="0.55" rx="${pad}"/>` +
    `${text.join('')}</svg>`;
  return svgToJpeg(svg);
}
