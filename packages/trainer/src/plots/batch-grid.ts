import { escapeXml, pngDataUri, svgToJpeg } from './render.js';

/** One image of a grid: its pixels (uint8, HWC) and the label drawn under it. */
export interface GridImage {
  pixels: Uint8Array;
  label: string;
}

/**
 * train_batch0.jpg: the images of a training batch as the model saw them (augmented), in a grid, each scaled up
 * without smoothing so that 28-px digits stay crisp, with its class name under it. Laid out as SVG, drawn by resvg.
 */
export function batchGrid(images: readonly GridImage[], size: number, channels: 1 | 3): Buffer {
  const cell = Math.max(96, size * 3);
  const label = 18;
  const columns = Math.ceil(Math.sqrt(images.length));
  const rows = Math.ceil(images.length / columns);
  const cells = images.map((im, i) => {
    const [x, y] = [(i % columns) * cell, Math.floor(i / columns) * (cell + label)];
    const href = pngDataUri({ data: im.pixels, width: size, height: size, channels });
    return `<image x="${x + 2}" y="${y + 2}" width="${cell - 4}" height="${cell - 4}" image-rendering="optimizeSpeed" href="${href}"/>` +
      `<text x="${x + cell / 2}" y="${y + cell + 13}" font-size="13" text-anchor="middle" font-family="DejaVu Sans">${escapeXml(im.label)}</text>`;
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${columns * cell}" height="${rows * (cell + label)}">${cells.join('')}</svg>`;
  return svgToJpeg(svg);
}
