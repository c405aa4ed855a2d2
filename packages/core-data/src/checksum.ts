import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { DataFormatError } from './errors.js';

/** Hex digest of a file, streamed so large archives never sit in memory. */
export async function hashFile(path: string, algorithm: 'sha256' | 'md5' = 'sha256'): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Throws a DataFormatError showing both hashes when `path` does not have the expected sha256. */
export async function verifySha256(path: string, expected: string): Promise<void> {
  const actual = await hashFile(path, 'sha256');
  if (actual !== expected) {
    throw new DataFormatError(`checksum mismatch for ${path}: expected sha256 ${expected}, got ${actual}`);
  }
}
