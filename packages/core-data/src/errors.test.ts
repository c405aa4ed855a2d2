import { readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChecksumError, DatasetNotFoundError, DownloadError, FileSystemError, YoloTsError, fileSystemError, isMissingPath } from './errors.js';

const osError = async (fn: () => Promise<unknown>) => fn().then(() => expect.unreachable('no error'), (e: unknown) => e);

describe('errors', () => {
  it('each class has a stable code and says whether the input or the run is at fault', () => {
    expect([new ChecksumError('x').code, new ChecksumError('x').kind]).toEqual(['E_CHECKSUM', 'input']);
    expect([new DatasetNotFoundError('x').code, new DownloadError('x').code, new DownloadError('x').kind]).toEqual(['E_DATA_NOT_FOUND', 'E_DOWNLOAD', 'runtime']);
    expect(new YoloTsError('x', { code: 'E_MODEL_MISMATCH' }).code).toBe('E_MODEL_MISMATCH');
    expect(new ChecksumError('x')).toBeInstanceOf(YoloTsError);
  });

  it('OS errors become one line with the path and what to do (real ENOSPC from /dev/full, ENOENT, ENOTDIR)', async () => {
    const full = fileSystemError(await osError(() => writeFile('/dev/full', 'x')), 'cannot save the run', '/dev/full');
    expect(full).toBeInstanceOf(FileSystemError);
    expect([(full as FileSystemError).code, (full as FileSystemError).kind]).toEqual(['E_DISK_FULL', 'runtime']);
    expect((full as Error).message).toBe('cannot save the run: no space left on the disk of /dev/full: free some space (df -h) or choose a folder on another disk');
    const missing = await osError(() => readFile(join(tmpdir(), 'yolo-ts-no-such-file')));
    expect(isMissingPath(missing)).toBe(true);
    expect((fileSystemError(missing) as FileSystemError).code).toBe('E_NOT_FOUND');
    const notDir = await osError(() => readdir('/etc/hostname/x'));
    expect(isMissingPath(notDir)).toBe(true);
    expect((fileSystemError(notDir) as Error).message).toBe('a part of the path /etc/hostname/x is a file, not a folder');
    const plain = new Error('a bug');
    expect(fileSystemError(plain)).toBe(plain);
    expect(isMissingPath(plain)).toBe(false);
  });
});
