import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataFormatError } from './errors.js';
import { cacheFile, readSplitCache, writeSplitCache } from './image-cache.js';
import { listingKey, listSplit, type SplitListing } from './image-listing.js';
import { SPLITS, type DatasetLayout, type SplitName } from './layout.js';
import { decodePng, type DecodedImage } from './png.js';
import { startProgress } from './progress.js';
import type { ImageSplit, LoadedDataset } from './split.js';

/**
 * Ultralytics' `cache`: where decoded images are kept between loads. yolo-ts always trains from memory, so:
 * `disk` reuses (or writes) one uint8 file per split in `<root>/.cache/`; `ram` keeps the decoded dataset in this
 * process for the next load (train then val); `false` decodes the PNGs every time.
 */
export type CacheMode = 'disk' | 'ram' | false;

export interface FolderLoadOptions {
  cache?: CacheMode;
  log?: (line: string) => void;
  tty?: NodeJS.WriteStream | false;
}

const inRam = new Map<string, LoadedDataset>();

function decodeSplits(layout: DatasetLayout, listings: Partial<Record<SplitName, SplitListing>>, options: FolderLoadOptions): Partial<Record<SplitName, ImageSplit>> {
  const total = Object.values(listings).reduce((n, l) => n + l.reduce((m, files) => m + files.length, 0), 0);
  const progress = startProgress(`Reading ${total} PNG images in ${layout.root}`, 'images', { log: options.log ?? (() => {}), tty: options.tty });
  const decoded: Partial<Record<SplitName, { images: DecodedImage[]; labels: Int32Array }>> = {};
  let first: DecodedImage & { path: string } | undefined;
  // Synchronous reads: for tens of thousands of small files they are several times faster than awaited ones.
  for (const [split, listing] of Object.entries(listings) as [SplitName, SplitListing][]) {
    const images: DecodedImage[] = [];
    const labels: number[] = [];
    for (const [c, files] of listing.entries()) {
      for (const file of files) {
        const path = join(layout.splits[split]!, layout.folders[c]!, file);
        const image = decodePng(readFileSync(path), path);
        first ??= { ...image, path };
        if (image.width !== first.width || image.height !== first.height) {
          throw new DataFormatError(`${path} is ${image.width}x${image.height} but ${first.path} is ${first.width}x${first.height}: yolo-ts needs one image size per dataset`);
        }
        images.push(image);
        labels.push(c);
        progress.advance(1);
      }
    }
    decoded[split] = { images, labels: Int32Array.from(labels) };
  }
  progress.finish();
  // One channel count for the whole dataset: RGB as soon as one image has colour.
  const channels = Object.values(decoded).some((d) => d.images.some((i) => i.channels === 3)) ? 3 : 1;
  const out: Partial<Record<SplitName, ImageSplit>> = {};
  for (const [split, { images, labels }] of Object.entries(decoded) as [SplitName, { images: DecodedImage[]; labels: Int32Array }][]) {
    const size = first!.width * first!.height * channels;
    const pixels = new Uint8Array(images.length * size);
    images.forEach((image, k) => {
      if (image.channels === channels) pixels.set(image.data, k * size);
      else for (let p = 0; p < image.data.length; p++) pixels.fill(image.data[p]!, k * size + 3 * p, k * size + 3 * p + 3);
    });
    out[split] = { images: pixels, labels, count: images.length, height: first!.height, width: first!.width, channels };
  }
  return out;
}

/**
 * Loads a dataset laid out as class folders of PNG images (see `readLayout`), through the cache `options.cache`
 * (default `disk`). The images of each split come class by class, each class's files in index order.
 */
export async function loadImageFolder(layout: DatasetLayout, options: FolderLoadOptions = {}): Promise<LoadedDataset> {
  const log = options.log ?? (() => {});
  const cache = options.cache ?? 'disk';
  const listings: Partial<Record<SplitName, SplitListing>> = {};
  for (const split of SPLITS) {
    const dir = layout.splits[split];
    if (!dir) continue;
    const listing = await listSplit(dir, layout.folders);
    const count = listing.reduce((n, files) => n + files.length, 0);
    if (count === 0 && split === 'train') throw new DataFormatError(`no training images found in ${dir}`);
    if (count === 0) log(`WARNING ${split}: no images found in ${dir}; ignoring it`);
    else listings[split] = listing;
  }
  const present = Object.keys(listings) as SplitName[];
  const key = listingKey(listings, layout.folders);
  const dataset = (splits: Partial<Record<SplitName, ImageSplit>>): LoadedDataset => ({ name: layout.name, classes: [...layout.classes], ...splits }) as LoadedDataset;
  const report = (data: LoadedDataset, from: string) => {
    for (const split of present) log(`${split}: ${layout.splits[split]}... found ${data[split]!.count} images in ${layout.classes.length} classes${from}`);
    return data;
  };

  const ramKey = `${layout.root}\n${key}`;
  const kept = cache === 'ram' ? inRam.get(ramKey) : undefined;
  if (kept) return report(kept, ' (in memory)');
  if (cache === 'disk') {
    const cached = await Promise.all(present.map((s) => readSplitCache(cacheFile(layout.root, s, key))));
    if (cached.every(Boolean)) return report(dataset(Object.fromEntries(present.map((s, i) => [s, cached[i]]))), ` (from the cache in ${join(layout.root, '.cache')})`);
  }
  const data = dataset(decodeSplits(layout, listings, options));
  if (cache === 'ram') inRam.set(ramKey, data);
  if (cache === 'disk') {
    try {
      for (const split of present) await writeSplitCache(cacheFile(layout.root, split, key), data[split]!);
    } catch (error) {
      log(`WARNING cache not saved in ${join(layout.root, '.cache')}: ${(error as Error).message}`);
    }
  }
  return report(data, '');
}
