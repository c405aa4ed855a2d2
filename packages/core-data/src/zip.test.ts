import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { DataFormatError } from './errors.js';
import { gunzipFile } from './gzip.js';
import { writeZip } from './testing/zip-writer.js';
import { extractZip } from './zip.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yolo-ts-zip-'));
});

describe('extractZip', () => {
  it('streams the wanted entries into the folder, keeping their paths', async () => {
    const zip = join(dir, 'a.zip');
    await writeFile(zip, writeZip([{ name: 'gzip/x.gz', data: Buffer.from('xx') }, { name: 'gzip/y.txt', data: Buffer.from('y') }, { name: 'z', data: Buffer.from('z') }]));
    expect(await extractZip(zip, join(dir, 'a'), (n) => n.startsWith('gzip/'))).toEqual(['gzip/x.gz', 'gzip/y.txt']);
    expect(await readFile(join(dir, 'a', 'gzip', 'x.gz'), 'utf8')).toBe('xx');
    expect(await readdir(join(dir, 'a'))).toEqual(['gzip']);
  });

  it.each(['../escape.txt', 'gzip/../../escape.txt', '/abs/escape.txt'])('refuses an archive with an entry escaping the folder (%s), writing nothing', async (name) => {
    const zip = join(dir, 'slip.zip');
    await writeFile(zip, writeZip([{ name: 'ok.txt', data: Buffer.from('ok') }, { name, data: Buffer.from('evil') }]));
    const error = await extractZip(zip, join(dir, 'slip', 'inside')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFormatError);
    expect((error as Error).message).toMatch(/slip\.zip: (invalid relative path|absolute path)/);
    expect(existsSync(join(dir, 'slip'))).toBe(false);
    expect(existsSync(join(dir, 'escape.txt'))).toBe(false);
  });

  it('reports a damaged archive as a DataFormatError', async () => {
    const zip = join(dir, 'cut.zip');
    await writeFile(zip, writeZip([{ name: 'a', data: Buffer.alloc(1000) }]).subarray(0, 60));
    await expect(extractZip(zip, join(dir, 'cut'))).rejects.toThrow(/cut\.zip: End of central directory record signature not found/);
  });
});

describe('gunzipFile', () => {
  it('names a truncated or foreign file', async () => {
    const gz = gzipSync(Buffer.alloc(10_000, 7));
    await writeFile(join(dir, 'cut.gz'), gz.subarray(0, gz.length - 10));
    await writeFile(join(dir, 'plain.gz'), 'not gzip');
    await expect(gunzipFile(join(dir, 'cut.gz'))).rejects.toThrow(/cut\.gz: gzip data is truncated \(unexpected end of file\)/);
    await expect(gunzipFile(join(dir, 'plain.gz'))).rejects.toThrow(/plain\.gz: gzip data is not valid gzip \(incorrect header check\)/);
  });
});
