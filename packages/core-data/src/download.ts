import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { verifyPublished, type DatasetFile } from './dataset-file.js';
import { ChecksumError, DownloadError } from './errors.js';
import { FetchError, httpGet, networkError } from './http-get.js';
import { withLock } from './lock.js';
import { startProgress, type Progress } from './progress.js';

export interface DownloadOptions {
  log?: (line: string) => void;
  /** Milliseconds without any data before a request is abandoned (default 30 s). */
  timeoutMs?: number;
  /** Attempts per mirror for failures that may pass: refused or cut connections, timeouts, HTTP 5xx (default 3). */
  attempts?: number;
  /** Pause before the second attempt, doubled before each next one (default 1 s). */
  backoffMs?: number;
  /** Stream for a live progress bar, or false for start/end lines (default: stderr when it is a terminal). */
  tty?: NodeJS.WriteStream | false;
}

/** Beside a partial download: which URL it came from and its ETag, so it is resumed only from the same file. */
interface PartInfo {
  url: string;
  etag?: string;
}

async function sizeOf(path: string): Promise<number> {
  return stat(path).then((s) => s.size, () => 0);
}

async function readPartInfo(path: string): Promise<PartInfo | undefined> {
  return readFile(path, 'utf8').then((s) => JSON.parse(s) as PartInfo, () => undefined);
}

/**
 * One GET of `url` into `part`. A partial file left by an earlier attempt on the same URL is resumed with a
 * Range request (If-Range: its ETag, so a changed file starts over); a cut connection keeps what arrived.
 */
async function fetchOnce(url: string, part: string, timeoutMs: number, progress: Progress): Promise<void> {
  const infoPath = `${part}.json`;
  const info = await readPartInfo(infoPath);
  const start = info?.url === url ? await sizeOf(part) : 0;
  const headers: Record<string, string> = start > 0 ? { range: `bytes=${start}-`, ...(info?.etag ? { 'if-range': info.etag } : {}) } : {};
  const response = await httpGet(url, headers, timeoutMs);
  if (response.statusCode === 416) {
    response.resume(); // the partial file is already whole; the checksums will say
    return;
  }
  const resumed = response.statusCode === 206;
  if (resumed && !String(response.headers['content-range'] ?? '').startsWith(`bytes ${start}-`)) {
    response.resume();
    await rm(infoPath, { force: true });
    throw new FetchError(`server answered a different range (${response.headers['content-range']})`, true);
  }
  const etag = response.headers.etag;
  if (!resumed) await writeFile(infoPath, JSON.stringify({ url, ...(etag ? { etag } : {}) } satisfies PartInfo));
  const length = Number(response.headers['content-length']);
  const offset = resumed ? start : 0;
  progress.setTotal(Number.isFinite(length) ? offset + length : undefined, offset);
  // Each chunk is written as it arrives (a synchronous write of a 64 KB chunk costs microseconds): a stream with
  // backpressure would pause the response, and a cut then drops what was buffered instead of keeping it to resume.
  const fd = openSync(part, resumed ? 'a' : 'w');
  let diskError: unknown;
  let cut: unknown;
  try {
    cut = await new Promise<unknown>((resolve) => {
      response.on('data', (chunk: Buffer) => {
        try {
          for (let at = 0; at < chunk.length; ) at += writeSync(fd, chunk, at);
        } catch (error) {
          diskError = error;
          response.destroy();
          return;
        }
        progress.advance(chunk.length);
      });
      response.on('end', () => resolve(undefined));
      response.on('error', resolve);
      response.on('close', () => resolve(response.complete ? undefined : new Error('connection closed')));
    });
  } finally {
    closeSync(fd);
  }
  if (diskError) throw diskError;
  if (cut) throw new FetchError(`connection lost after ${await sizeOf(part)} bytes: ${networkError(cut).message}`, true);
}

async function fetchWithRetries(url: string, part: string, options: Required<Omit<DownloadOptions, 'tty'>>, progress: Progress): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetchOnce(url, part, options.timeoutMs, progress);
    } catch (error) {
      if (!(error instanceof FetchError) || !error.transient || attempt >= options.attempts) throw error;
      const pause = options.backoffMs * 2 ** (attempt - 1);
      options.log(`${url}: ${error.message}; retrying in ${pause} ms (attempt ${attempt + 1} of ${options.attempts})`);
      await sleep(pause);
    }
  }
}

/**
 * Downloads `file` to `dest` from the first of `urls` that delivers it with the declared checksums.
 *
 * Bytes land in `dest.part` and are renamed to `dest` only once verified, so `dest` is always whole and right.
 * Transient failures are retried with exponential backoff, resuming the partial file; a 404, an unreachable
 * host or exhausted retries move on to the next URL. A file with the wrong checksums is removed and refused.
 * A lock (`dest.lock`) lets concurrent processes share one download: the second waits, then finds `dest`.
 */
export async function downloadFile(file: DatasetFile, urls: readonly string[], dest: string, options: DownloadOptions = {}): Promise<void> {
  const opts = { log: () => {}, timeoutMs: 30_000, attempts: 3, backoffMs: 1000, ...options };
  await mkdir(dirname(dest), { recursive: true });
  await withLock(
    `${dest}.lock`,
    async () => {
      if ((await sizeOf(dest)) > 0) {
        try {
          await verifyPublished(dest, file, dest);
          return;
        } catch (error) {
          if (!(error instanceof ChecksumError)) throw error;
          opts.log(`${error.message}; downloading it again`);
          await rm(dest, { force: true });
        }
      }
      const part = `${dest}.part`;
      const failures: string[] = [];
      for (const [i, url] of urls.entries()) {
        const progress = startProgress(`Downloading ${url}`, 'bytes', { log: opts.log, tty: options.tty });
        try {
          await fetchWithRetries(url, part, opts, progress);
          const matched = await verifyPublished(part, file, url);
          await rename(part, dest);
          await rm(`${part}.json`, { force: true });
          progress.finish(matched === 'content' ? 'done (a re-compressed copy: its decompressed content has the right sha256)' : undefined);
          return;
        } catch (error) {
          if (error instanceof ChecksumError) {
            await rm(part, { force: true });
            await rm(`${part}.json`, { force: true });
            failures.push(`${error.message} (removed)`);
          } else if (error instanceof FetchError) {
            failures.push(`${url}: ${error.message}`);
          } else {
            throw error;
          }
          progress.finish(`failed: ${failures.at(-1)}${i + 1 < urls.length ? '; trying the next mirror' : ''}`);
        }
      }
      throw new DownloadError(`could not download ${file.name}: ${failures.join('; ') || 'no mirror to download from'}`);
    },
    { log: opts.log },
  );
}
