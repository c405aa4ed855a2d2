import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DataFormatError } from './errors.js';
import { subfolders, type SplitName } from './layout.js';

/** The PNG files of one split: for each class (label order), the file names in index order. */
export type SplitListing = string[][];

/** Image formats Ultralytics reads; yolo-ts reads PNG and names the others rather than skipping them silently. */
const IMAGE = /\.(png|jpe?g|bmp|tiff?|webp|gif|dng|mpo|pfm|heic)$/i;
const PNG = /\.png$/i;
const NUMBERED = /^\d+\.png$/i;

/** Numbered files (`7.png`, `10.png`) first in numeric order, then the others by code point: a total order. */
export function compareImageNames(a: string, b: string): number {
  const na = NUMBERED.test(a) ? parseInt(a, 10) : -1;
  const nb = NUMBERED.test(b) ? parseInt(b, 10) : -1;
  if ((na < 0) !== (nb < 0)) return na < 0 ? 1 : -1;
  if (na !== nb) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Lists the PNG images of split folder `dir`, whose class folders must be among `folders`. */
export async function listSplit(dir: string, folders: readonly string[]): Promise<SplitListing> {
  const known = new Set(folders);
  const stray = (await subfolders(dir)).find((f) => !known.has(f));
  if (stray) throw new DataFormatError(`${join(dir, stray)} is not a folder of one of the dataset's ${folders.length} classes`);
  return Promise.all(
    folders.map(async (folder) => {
      const names = await readdir(join(dir, folder)).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [];
        throw error;
      });
      const other = names.find((n) => IMAGE.test(n) && !PNG.test(n));
      if (other) throw new DataFormatError(`${join(dir, folder, other)}: yolo-ts reads PNG images only; convert the others to PNG`);
      return names.filter((n) => PNG.test(n)).sort(compareImageNames);
    }),
  );
}

/**
 * The cache key of a dataset: a hash of its file list (split, class folder and file names), so adding, removing
 * or renaming an image invalidates the cache; moving the whole folder does not.
 */
export function listingKey(listings: Partial<Record<SplitName, SplitListing>>, folders: readonly string[]): string {
  const hash = createHash('sha256');
  for (const [split, listing] of Object.entries(listings)) {
    listing.forEach((files, c) => hash.update(`${split}/${folders[c]}/\n${files.join('\n')}\n`));
  }
  return hash.digest('hex').slice(0, 16);
}
