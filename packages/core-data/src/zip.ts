import { createWriteStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { DataFormatError } from './errors.js';

/**
 * Extracts the entries of the zip at `zipPath` that `keep` accepts into `destDir`, streaming each one to disk
 * (archives such as EMNIST's 560 MB `gzip.zip` never sit in memory), and returns their relative paths.
 * An entry whose name would land outside `destDir` (absolute, or with `..`: "zip slip") makes the whole archive
 * refused before anything is written; yauzl checks every name as it reads the central directory. So is an archive
 * with two entries of one name (the second would silently replace the first), or whose kept entries would unpack to
 * more than `maxBytes` (a zip bomb; yauzl checks each entry's real size against the one it declares).
 */
export async function extractZip(zipPath: string, destDir: string, keep: (name: string) => boolean = () => true, { maxBytes = 8 * 2 ** 30 }: { maxBytes?: number } = {}): Promise<string[]> {
  const fail = (error: unknown) => new DataFormatError(`${zipPath}: ${(error as Error).message}`);
  const zip = await yauzl.openPromise(zipPath, { lazyEntries: true, autoClose: false }).catch((error: unknown) => {
    throw fail(error);
  });
  const wanted: Entry[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const names = new Set<string>();
      let bytes = 0;
      zip.on('entry', (entry: Entry) => {
        if (names.has(entry.fileName)) return reject(new DataFormatError(`${zipPath}: two entries are named ${entry.fileName}; the archive is damaged or crafted`));
        names.add(entry.fileName);
        if (!entry.fileName.endsWith('/') && keep(entry.fileName)) {
          wanted.push(entry);
          bytes += entry.uncompressedSize;
          if (bytes > maxBytes) return reject(new DataFormatError(`${zipPath}: its entries unpack to more than ${(maxBytes / 2 ** 30).toFixed(1)} GiB (a zip bomb?); refused`));
        }
        zip.readEntry();
      });
      zip.on('end', resolve);
      zip.on('error', (error) => reject(fail(error)));
      zip.readEntry();
    });
    for (const entry of wanted) await extractEntry(zip, entry, join(destDir, entry.fileName)).catch((error: unknown) => {
      throw error instanceof DataFormatError ? error : fail(error);
    });
  } finally {
    zip.close();
  }
  return wanted.map((e) => e.fileName);
}

async function extractEntry(zip: ZipFile, entry: Entry, path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.part`;
  await pipeline(await zip.openReadStreamPromise(entry), createWriteStream(tmp));
  await rename(tmp, path);
}
