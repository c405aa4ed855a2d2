import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { SplitListing } from './image-listing.js';
import type { SourceSplit } from './plugin.js';
import type { Progress } from './progress.js';
import { encodePng } from './png.js';
import { selectIndices, type ImageSplit } from './split.js';

/**
 * A split in the order a folder loader reads it back: class by class, each class in source-index order, with
 * the file names that order gives. Writing the cache in this order makes it equal to decoding the PNG tree.
 */
export function treeOrder(split: SourceSplit, numClasses: number): { split: ImageSplit; listing: SplitListing; names: string[] } {
  const source = split.sourceIndex ?? Int32Array.from({ length: split.count }, (_, i) => i);
  const order = Array.from({ length: split.count }, (_, i) => i).sort((a, b) => split.labels[a]! - split.labels[b]! || source[a]! - source[b]!);
  const names = order.map((i) => `${source[i]}.png`);
  const listing: SplitListing = Array.from({ length: numClasses }, () => []);
  order.forEach((i, k) => listing[split.labels[i]!]!.push(names[k]!));
  return { split: selectIndices(split, order), listing, names };
}

/**
 * Writes `<dir>/<folder of its class>/<name>.png` for every image of `split` (in tree order). Synchronous
 * writes measured fastest for tens of thousands of tiny files (parallel writers contend on the directory);
 * the loop yields now and then so timers, like the progress bar, keep running.
 */
export async function writeSplitTree(dir: string, split: ImageSplit, names: readonly string[], folders: readonly string[], progress: Progress): Promise<void> {
  for (const folder of folders) mkdirSync(join(dir, folder), { recursive: true });
  const size = split.height * split.width * split.channels;
  const channels = split.channels as 1 | 3;
  for (let i = 0; i < split.count; i++) {
    const png = encodePng(split.images.subarray(i * size, (i + 1) * size), split.width, split.height, channels);
    writeFileSync(join(dir, folders[split.labels[i]!]!, names[i]!), png);
    if (i % 2000 === 1999) {
      progress.advance(2000);
      await yieldToLoop();
    }
  }
  progress.advance(split.count % 2000);
}
