import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentName } from '@yolo-ts/core-data';
import { serveFiles, type FileServer } from '@yolo-ts/core-data/testing';
import { MNIST_FILES, offlineMnistDir } from '@yolo-ts/plugin-mnist';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');

/** Runs the binary without blocking this process (the loopback server must keep answering). */
function run(cwd: string, env: Record<string, string>, ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('yolo-ts datasets', () => {
  let server: FileServer;
  let cwd: string;
  beforeAll(async () => {
    const files: Record<string, Uint8Array> = {};
    for (const f of Object.values(MNIST_FILES)) files[`/mnist/${f.name}`] = gzipSync(await readFile(join(offlineMnistDir(), contentName(f))), { level: 1 });
    server = await serveFiles(files);
    cwd = await mkdtemp(join(tmpdir(), 'yolo-ts-cli-datasets-'));
  });
  afterAll(async () => {
    await server.close();
    await rm(cwd, { recursive: true, force: true });
  });

  it('prepares one dataset from two processes at once: one download, one tree', async () => {
    const env = { YOLO_TS_MIRRORS: `${server.url}/mnist` };
    const [a, b] = await Promise.all([run(cwd, env, 'datasets', 'prepare', 'mnist160'), run(cwd, env, 'datasets', 'prepare', 'mnist160')]);
    const root = join(cwd, 'datasets', 'mnist160');
    for (const r of [a, b]) {
      expect(r.status).toBe(0);
      expect(r.stdout.trim().split('\n').at(-1)).toBe(root);
    }
    expect(server.requests.map((r) => r.path).sort()).toEqual(Object.values(MNIST_FILES).map((f) => `/mnist/${f.name}`).sort());
    expect(`${a.stdout}${b.stdout}`).toMatch(/waiting for another process \(pid \d+ on .*\) that holds .*\.mnist160\.lock/);
    expect((await readdir(join(root, 'train'))).length).toBe(10);
    expect((await readdir(join(cwd, 'datasets'))).sort()).toEqual(['downloads', 'mnist160']);

    const list = await run(cwd, {}, 'datasets');
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/^mnist160 +10 {2}yes +first 8 images of each digit/m);
    expect(list.stdout).toMatch(/^mnist +10 {2}no +MNIST handwritten digits/m);
    expect(list.stdout).toMatch(/^emnist-letters +26 {2}no /m);
    const path = await run(cwd, {}, 'datasets', 'path', 'mnist160');
    expect([path.status, path.stdout, path.stderr]).toEqual([0, `${root}\n`, '']);
  }, 60_000);

  it.each([
    [['datasets', 'prepare', 'minst'], "yolo-ts: unknown dataset 'minst'. Did you mean 'mnist'?"],
    [['datasets', 'prepare'], "yolo-ts: 'yolo-ts datasets prepare' needs a dataset name"],
    [['datasets', 'fetch', 'mnist'], "yolo-ts: unknown datasets action 'fetch'"],
  ])('%j fails with one line', async (args, start) => {
    const r = await run(cwd, {}, ...args);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^${start.replace(/[.?()]/g, '\\$&')}`))]);
  });
});
