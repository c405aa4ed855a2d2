import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { promisify } from 'node:util';
import { createGunzip, gunzip } from 'node:zlib';
import { DataFormatError } from './errors.js';

const gunzipAsync = promisify(gunzip);

/** zlib's terse errors ("unexpected end of file") as a one-line DataFormatError naming the file. */
function gzipError(source: string, error: unknown): DataFormatError {
  const reason = (error as Error).message;
  const what = /unexpected end/i.test(reason) ? 'is truncated' : 'is not valid gzip';
  return new DataFormatError(`${source}: gzip data ${what} (${reason})`);
}

/** The decompressed bytes of a .gz file. */
export async function gunzipFile(path: string): Promise<Buffer> {
  try {
    return await gunzipAsync(await readFile(path));
  } catch (error) {
    throw gzipError(path, error);
  }
}

/** The decompressed bytes of a .gz file as a stream (for hashing content without holding it). */
export async function* gunzipStream(path: string): AsyncGenerator<Buffer> {
  const gz = createGunzip();
  pipeline(createReadStream(path), gz, () => {}); // a read error destroys gz, so it surfaces below
  try {
    yield* gz;
  } catch (error) {
    throw gzipError(path, error);
  }
}
