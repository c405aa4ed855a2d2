import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetFile } from './dataset-file.js';
import { downloadFile, type DownloadOptions } from './download.js';
import { DownloadError } from './errors.js';
import { serveFiles, type FileServer } from './testing/file-server.js';

const hash = (alg: string, data: Uint8Array) => createHash(alg).update(data).digest('hex');
const content = randomBytes(300_000);
const gz = gzipSync(content, { level: 9 });
const file: DatasetFile = { name: 'data.gz', md5: hash('md5', gz), sha256: hash('sha256', gz), contentSha256: hash('sha256', content) };
const fast: DownloadOptions = { backoffMs: 10, timeoutMs: 2000, tty: false };

let server: FileServer;
let dir: string;
beforeAll(async () => {
  server = await serveFiles({
    '/good/data.gz': gz,
    '/flaky/data.gz': gz,
    '/regzipped/data.gz': gzipSync(content, { level: 1 }),
    '/wrong/data.gz': gzipSync(randomBytes(1000)),
  });
  dir = await mkdtemp(join(tmpdir(), 'yolo-ts-download-'));
});
afterAll(() => server.close());

const dest = (name: string) => join(dir, name, 'data.gz');
const requestsTo = (prefix: string) => server.requests.filter((r) => r.path.startsWith(prefix));

describe('downloadFile', () => {
  it('downloads, verifies and renames into place, telling what it does', async () => {
    const lines: string[] = [];
    await downloadFile(file, [`${server.url}/good/data.gz`], dest('happy'), { ...fast, log: (l) => lines.push(l) });
    expect((await readFile(dest('happy'))).equals(gz)).toBe(true);
    expect(await readdir(join(dir, 'happy'))).toEqual(['data.gz']);
    expect(lines).toEqual([`Downloading ${server.url}/good/data.gz...`, expect.stringMatching(/^Downloading .*: 0\.\d MB in \d+\.\ds$/)]);
  });

  it('falls back to the next mirror after a 404 and after 500s that outlast the retries', async () => {
    server.fail('/flaky/data.gz', 500, 500);
    const lines: string[] = [];
    const urls = [`${server.url}/missing/data.gz`, `${server.url}/flaky/data.gz`, `${server.url}/good/data.gz`];
    await downloadFile(file, urls, dest('fallback'), { ...fast, attempts: 2, log: (l) => lines.push(l) });
    expect((await readFile(dest('fallback'))).equals(gz)).toBe(true);
    expect(requestsTo('/missing')).toHaveLength(1); // a 404 is not retried
    expect(requestsTo('/flaky')).toHaveLength(2);
    expect(lines.join('\n')).toMatch(/missing\/data.gz: failed: .*HTTP 404 Not Found; trying the next mirror/);
    expect(lines.join('\n')).toMatch(/flaky\/data.gz: HTTP 500 Internal Server Error; retrying in 10 ms \(attempt 2 of 2\)/);
  });

  it('retries a 500 on the same mirror when it passes', async () => {
    server.fail('/flaky/data.gz', 503);
    const before = requestsTo('/flaky').length;
    await downloadFile(file, [`${server.url}/flaky/data.gz`], dest('retry'), fast);
    expect(requestsTo('/flaky').length - before).toBe(2);
  });

  it('resumes with a Range request after the connection is cut mid-file', async () => {
    server.fail('/good/data.gz', { cutAfter: 100_000 });
    const before = server.requests.length;
    await downloadFile(file, [`${server.url}/good/data.gz`], dest('resume'), fast);
    expect((await readFile(dest('resume'))).equals(gz)).toBe(true);
    expect(server.requests.slice(before)).toEqual([{ path: '/good/data.gz' }, { path: '/good/data.gz', range: 'bytes=100000-' }]);
  });

  it('resumes a partial file that an earlier process left, but only from the URL it came from', async () => {
    const url = `${server.url}/good/data.gz`;
    const leave = async (name: string, bytes: Uint8Array, from: string) => {
      await mkdir(join(dir, name), { recursive: true });
      await writeFile(`${dest(name)}.part`, bytes);
      await writeFile(`${dest(name)}.part.json`, JSON.stringify({ url: from, etag: `"${hash('sha1', gz)}"` }));
    };
    await leave('left', gz.subarray(0, 5000), url);
    await leave('elsewhere', randomBytes(5000), 'http://127.0.0.1:9/other/data.gz');
    const before = server.requests.length;
    await downloadFile(file, [url], dest('left'), fast);
    await downloadFile(file, [url], dest('elsewhere'), fast);
    expect(server.requests.slice(before)).toEqual([{ path: '/good/data.gz', range: 'bytes=5000-' }, { path: '/good/data.gz' }]);
    expect((await readFile(dest('left'))).equals(gz)).toBe(true);
    expect((await readFile(dest('elsewhere'))).equals(gz)).toBe(true);
  });

  it('gives up on a server that stops answering after its timeout, and retries', async () => {
    server.fail('/good/data.gz', 'stall');
    const started = Date.now();
    await downloadFile(file, [`${server.url}/good/data.gz`], dest('stall'), { ...fast, timeoutMs: 300 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect((await readFile(dest('stall'))).equals(gz)).toBe(true);
  });

  it('accepts a mirror that re-gzipped the same content, by the content sha256', async () => {
    const lines: string[] = [];
    await downloadFile(file, [`${server.url}/regzipped/data.gz`], dest('regz'), { ...fast, log: (l) => lines.push(l) });
    expect(lines.at(-1)).toMatch(/re-compressed copy: its decompressed content has the right sha256/);
  });

  it('refuses a file with the wrong checksums, showing both hashes, and removes it', async () => {
    const error = await downloadFile(file, [`${server.url}/wrong/data.gz`], dest('wrong'), fast).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownloadError);
    const message = (error as Error).message;
    expect(message).toMatch(new RegExp(`^could not download data.gz: checksum mismatch for data.gz from ${server.url}/wrong/data.gz: expected md5 ${file.md5}, got [0-9a-f]{32}; expected sha256 ${file.sha256}, got [0-9a-f]{64}; expected content sha256 ${file.contentSha256}, got [0-9a-f]{64} \\(removed\\)$`));
    expect(message).not.toMatch(/\n/);
    expect(await readdir(join(dir, 'wrong'))).toEqual([]);
  });

  it('lets two concurrent callers share one download', async () => {
    const before = requestsTo('/good').length;
    await Promise.all([1, 2].map(() => downloadFile(file, [`${server.url}/good/data.gz`], dest('shared'), { ...fast })));
    expect(requestsTo('/good').length - before).toBe(1);
    expect(existsSync(`${dest('shared')}.lock`)).toBe(false);
  });

  it('says which mirrors failed and why when none works', async () => {
    await expect(downloadFile(file, [`${server.url}/nope/data.gz`, 'http://no-such-host.invalid/data.gz'], dest('none'), fast)).rejects.toThrow(
      /^could not download data.gz: http:\/\/127.0.0.1:\d+\/nope\/data.gz: HTTP 404 Not Found; http:\/\/no-such-host.invalid\/data.gz: ENOTFOUND/,
    );
  });
});
