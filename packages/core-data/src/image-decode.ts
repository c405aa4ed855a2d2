import { decode as decodeBmp } from 'bmp-ts';
import sharp from 'sharp';
import { DataFormatError } from './errors.js';
import type { DecodedImage } from './png.js';

/** Extensions `decodeImage` reads (by content, not by name): sharp's formats plus BMP. */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.bmp', '.gif', '.webp', '.tif', '.tiff'] as const;

/** Images larger than this many pixels are refused before decoding (a decompression bomb, not a digit). */
const MAX_PIXELS = 64 * 1024 * 1024;

/**
 * Decodes a PNG, JPEG, WebP, GIF (first frame), TIFF (libvips, through sharp) or BMP (bmp-ts) to 8-bit pixels with
 * `channels` channels: colour becomes grayscale (sharp's luminance) for a 1-channel model, gray is replicated
 * for a 3-channel one, alpha is flattened onto black (the MNIST background). `source` names the file in errors.
 */
export async function decodeImage(bytes: Uint8Array, source: string, channels: 1 | 3): Promise<DecodedImage> {
  try {
    let input: sharp.Sharp;
    if (bytes[0] === 0x42 && bytes[1] === 0x4d) {
      // BMP: libvips' prebuilt binaries do not read it. bmp-ts gives RGBA whose alpha is 0 for 24-bit files.
      const image = decodeBmp(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { toRGBA: true });
      input = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 4 } }).removeAlpha();
    } else input = sharp(bytes, { limitInputPixels: MAX_PIXELS, pages: 1 }).flatten({ background: '#000000' });
    input = channels === 1 ? input.grayscale() : input.toColourspace('srgb');
    const { data, info } = await input.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== channels) throw new Error(`decoded ${info.channels} channels, wanted ${channels}`);
    return { width: info.width, height: info.height, channels, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (error) {
    throw new DataFormatError(`${source}: not a readable image (${(error as Error).message.split('\n')[0]})`);
  }
}
