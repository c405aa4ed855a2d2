import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { encodePng, type DecodedImage } from '@yolo-ts/core-data';
import jpeg from 'jpeg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** DejaVu Sans from the npm package dejavu-fonts-ttf: plots render the same text on every machine, fonts or not. */
const FONT_DIR = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const FONTS = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => join(FONT_DIR, f));

/** Text made safe for an SVG element or attribute. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** An image as a PNG data URI, for an SVG `<image href>`. */
export function pngDataUri(image: DecodedImage): string {
  return `data:image/png;base64,${encodePng(image.data, image.width, image.height, image.channels).toString('base64')}`;
}

/** A Vega-Lite spec drawn headless to SVG by Vega itself. */
export async function vegaLiteToSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** An SVG rasterised by resvg at `scale`× its size on white, with the bundled font. */
function rasterise(svg: string, scale: number) {
  const font = { fontFiles: FONTS, loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' };
  return new Resvg(svg, { fitTo: { mode: 'zoom', value: scale }, background: 'white', font }).render();
}

/** An SVG as PNG bytes. */
export function svgToPng(svg: string, scale = 1): Buffer {
  return rasterise(svg, scale).asPng();
}

/** An SVG as JPEG bytes (quality 90, encoded by jpeg-js). */
export function svgToJpeg(svg: string, scale = 1): Buffer {
  const image = rasterise(svg, scale);
  return Buffer.from(jpeg.encode({ data: image.pixels, width: image.width, height: image.height }, 90).data);
}
