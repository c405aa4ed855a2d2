import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic.js';
import type { SplitName } from './layout.js';
import type { ImageSplit } from './split.js';

/**
 * One split as one file: a 32-byte header (16 bytes of magic, then count, height, width, channels as uint32 LE),
 * the labels as int32 LE, then the pixels as uint8 NHWC. Loading it is one read, no decoding.
 */
const MAGIC = Buffer.from('yolo-ts cache 1\n');
const HEADER = 32;

/** `<root>/.cache/<split>-<key>.bin`. */
export function cacheFile(root: string, split: SplitName, key: string): string {
  return join(root, '.cache', `${split}-${key}.bin`);
}

/** Writes a split's cache file (atomically), removing that split's caches for older file lists. */
export async function writeSplitCache(path: string, split: ImageSplit): Promise<void> {
  const header = Buffer.alloc(HEADER);
  MAGIC.copy(header);
  [split.count, split.height, split.width, split.channels].forEach((v, i) => header.writeUInt32LE(v, 16 + 4 * i));
  const labels = Buffer.from(split.labels.buffer, split.labels.byteOffset, split.labels.byteLength);
  await writeFileAtomic(path, [header, labels, split.images]);
  const dir = join(path, '..');
  const prefix = path.slice(dir.length + 1).replace(/-[^-]+$/, '-');
  for (const name of await readdir(dir)) {
    if (name.startsWith(prefix) && name.endsWith('.bin') && join(dir, name) !== path) await rm(join(dir, name), { force: true });
  }
}

/** The split cached at `path`, or undefined when there is none or it is not a whole cache file. */
export async function readSplitCache(path: string): Promise<ImageSplit | undefined> {
  const buf = await readFile(path).catch(() => undefined);
  if (!buf || buf.length < HEADER || !buf.subarray(0, 16).equals(MAGIC)) return undefined;
  const [count, height, width, channels] = [0, 1, 2, 3].map((i) => buf.readUInt32LE(16 + 4 * i)) as [number, number, number, number];
  const size = height * width * channels;
  if (buf.length !== HEADER + 4 * count + count * size) return undefined;
  // Copied out: readFile's buffer may sit at an offset not aligned for Int32Array.
  const labels = new Int32Array(count);
  Buffer.from(labels.buffer).set(buf.subarray(HEADER, HEADER + 4 * count));
  const images = buf.subarray(HEADER + 4 * count);
  return { images, labels, count, height, width, channels };
}
