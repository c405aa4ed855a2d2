import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { ChecksumError } from './errors.js';

export type HashAlgorithm = 'md5' | 'sha256';

/** Hex digests of a byte stream, every algorithm in one pass. */
export async function hashStream<A extends HashAlgorithm>(stream: AsyncIterable<Uint8Array>, algorithms: readonly A[]): Promise<Record<A, string>> {
  const hashes = algorithms.map((a) => createHash(a));
  for await (const chunk of stream) for (const h of hashes) h.update(chunk);
  return Object.fromEntries(algorithms.map((a, i) => [a, hashes[i]!.digest('hex')])) as Record<A, string>;
}

/** Hex digest of a file, streamed so large archives never sit in memory. */
export async function hashFile(path: string, algorithm: HashAlgorithm = 'sha256'): Promise<string> {
  return (await hashStream(createReadStream(path), [algorithm]))[algorithm];
}

/** Throws a ChecksumError showing both hashes when `path` does not have the expected sha256. */
export async function verifySha256(path: string, expected: string): Promise<void> {
  const actual = await hashFile(path, 'sha256');
  if (actual !== expected) {
    throw new ChecksumError(`checksum mismatch for ${path}: expected sha256 ${expected}, got ${actual}`);
  }
}
