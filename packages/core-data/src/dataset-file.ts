import { createReadStream } from 'node:fs';
import { hashFile, hashStream, verifySha256, type HashAlgorithm } from './checksum.js';
import { ChecksumError, DataFormatError } from './errors.js';
import { gunzipStream } from './gzip.js';

/**
 * A file a dataset is made from, as published: fetched from `<mirror>/<name>`. Declare every checksum you
 * know: a download is accepted when the published file's md5 and sha256 match, or else when the sha256 of
 * its decompressed content matches (a mirror that re-compressed the same data).
 */
export interface DatasetFile {
  /** The published file name, e.g. `train-images-idx3-ubyte.gz`. */
  name: string;
  /** md5 of the published file (torchvision lists these). */
  md5?: string;
  /** sha256 of the published file (TFDS lists these). */
  sha256?: string;
  /** sha256 of the content: the decompressed bytes of a `.gz`, else the file itself. */
  contentSha256?: string;
  /** Size of the published file, shown before a server says it. */
  bytes?: number;
}

/** The name of a file's decompressed content: `x.gz` → `x` (how offline copies are named). */
export function contentName(file: DatasetFile): string {
  return file.name.endsWith('.gz') ? file.name.slice(0, -3) : file.name;
}

/** A short, stable folder name for a file's downloads, from its first declared checksum. */
export function fileId(file: DatasetFile): string {
  return (file.md5 ?? file.sha256 ?? file.contentSha256 ?? '').slice(0, 16);
}

const published = (file: DatasetFile): HashAlgorithm[] => (['md5', 'sha256'] as const).filter((a) => file[a]);

/**
 * Checks a fetched copy of `file` at `path` (`shownAs` names where it came from in errors). Returns how it
 * matched; a mismatch throws a ChecksumError showing the expected and the actual hashes.
 */
export async function verifyPublished(path: string, file: DatasetFile, shownAs: string): Promise<'published' | 'content'> {
  const algorithms = published(file);
  const got = await hashStream(createReadStream(path), algorithms);
  if (algorithms.length > 0 && algorithms.every((a) => got[a] === file[a])) return 'published';
  const shown = algorithms.map((a) => `${a} ${file[a]}, got ${got[a]}`);
  if (file.contentSha256) {
    let content: string;
    try {
      content = file.name.endsWith('.gz') ? (await hashStream(gunzipStream(path), ['sha256'])).sha256 : await hashFile(path);
    } catch (error) {
      if (!(error instanceof DataFormatError)) throw error;
      content = `unreadable content (${error.message})`;
    }
    if (content === file.contentSha256) return 'content';
    shown.push(`content sha256 ${file.contentSha256}, got ${content}`);
  }
  throw new ChecksumError(`checksum mismatch for ${file.name} from ${shownAs}: expected ${shown.join('; expected ')}`);
}

/** Checks an already decompressed copy of `file` (an offline copy) against its content sha256. */
export async function verifyContent(path: string, file: DatasetFile): Promise<void> {
  const expected = file.contentSha256 ?? (file.name.endsWith('.gz') ? undefined : file.sha256);
  if (!expected) throw new ChecksumError(`${file.name}: no content sha256 declared, so a decompressed copy cannot be verified`);
  await verifySha256(path, expected);
}
