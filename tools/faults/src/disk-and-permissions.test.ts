// Disk full (a small tmpfs, where this machine lets root mount one), permission denied (the CLI run as `nobody`),
// and two trainings started at once: each a clear error or a clean outcome, and nothing that was there lost.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { encodePng } from '@yolo-ts/core-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, runCli as run } from './cli.js';

const isRoot = process.getuid?.() === 0;

/** Mounts a tmpfs of `bytes` at a fresh folder; undefined where mounting is not allowed here. */
function tmpfs(dir: string, bytes: number): boolean {
  return spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir]).status === 0;
}

describe('disk full', () => {
  let root: string;
  let mounted: string[] = [];
  const env = () => ({ ...process.env, YOLO_TS_DATASETS_DIR: join(root, 'datasets'), YOLO_TS_DEBUG: '1' });

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'yolo-ts-full-'));
    expect(run(['datasets', 'prepare', 'mnist160'], env()).status).toBe(0);
  });
  afterAll(() => {
    for (const m of mounted) spawnSync('umount', [m]);
  });

  it('during a checkpoint: exit 1 with E_DISK_FULL, and the previous checkpoint is intact and resumable', async (context) => {
    // A disk with room for the first epoch's checkpoint and best weights, but not for a second checkpoint beside it.
    const probe = join(root, 'probe');
    expect(run(['classify', 'train', 'data=mnist160', 'model=cnn-small', 'epochs=1', 'plots=False', `project=${probe}`, 'name=r'], env()).status).toBe(0);
    const du = spawnSync('du', ['-sb', join(probe, 'r')], { encoding: 'utf8' });
    const size = Number(du.stdout.split('\t')[0]);
    const disk = join(root, 'disk');
    await mkdir(disk);
    if (!tmpfs(disk, Math.round(size * 1.5))) return context.skip('this machine does not allow mounting a tmpfs');
    mounted.push(disk);
    const full = run(['classify', 'train', 'data=mnist160', 'model=cnn-small', 'epochs=3', 'plots=False', `project=${disk}`, 'name=r'], env());
    expect(full.status).toBe(1);
    expect(full.stderr).toMatch(/^yolo-ts: no space left on the disk.*: free some space \(df -h\) or choose a folder on another disk \[E_DISK_FULL\]/);
    const state = JSON.parse(await readFile(join(disk, 'r', 'weights', 'last', 'train_state.json'), 'utf8'));
    expect(state.epoch).toBe(1);
    expect((await readdir(join(disk, 'r', 'weights'))).sort()).toEqual(['best', 'last']); // no temporary left
    // Moved to a disk with room, the run resumes from the intact checkpoint and finishes its 3 epochs.
    const moved = join(root, 'moved');
    await cp(join(disk, 'r'), moved, { recursive: true });
    const resumed = run(['classify', 'train', `resume=${moved}`], env());
    expect(resumed.status, resumed.stderr).toBe(0);
    expect((await readFile(join(moved, 'results.csv'), 'utf8')).trim().split('\n')).toHaveLength(4);
  });

  it('during datasets prepare: exit 1 with E_DISK_FULL, and no half dataset is left to be read', async (context) => {
    const disk = join(root, 'small');
    await mkdir(disk);
    if (!tmpfs(disk, 64 * 1024)) return context.skip('this machine does not allow mounting a tmpfs');
    mounted.push(disk);
    const full = run(['datasets', 'prepare', 'mnist160'], { ...env(), YOLO_TS_DATASETS_DIR: disk });
    expect(full.status).toBe(1);
    expect(full.stderr).toMatch(/^yolo-ts: no space left on the disk.* \[E_DISK_FULL\]/);
    expect(existsSync(join(disk, 'mnist160'))).toBe(false);
  });
});

describe.skipIf(!isRoot)('permission denied (the CLI run as nobody)', () => {
  it('a source folder it may not read: exit 1 with E_PERMISSION naming the folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yolo-ts-perm-'));
    await chmod(dir, 0o755);
    const secret = join(dir, 'secret');
    await mkdir(secret, { mode: 0o700 });
    await writeFile(join(secret, 'x.png'), 'x');
    const r = run(['classify', 'predict', 'model=yolo26n-cls.pt', `source=${secret}`, `project=${dir}/runs`], { ...process.env, HOME: dir, YOLO_TS_DEBUG: '1' }, 65534);
    expect(r.stderr).toMatch(new RegExp(`^yolo-ts: .*permission denied on ${secret}: give this user access to it, or choose another folder \\[E_PERMISSION\\]`));
    expect(r.status).toBe(1);
  });

  it('an image in a data folder it may not read: exit 1 with E_PERMISSION naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yolo-ts-perm-'));
    await chmod(dir, 0o777);
    const png = encodePng(new Uint8Array(28 * 28).fill(200), 28, 28, 1);
    for (const p of ['train/a/1.png', 'train/b/1.png', 'val/a/1.png', 'val/b/1.png']) {
      await mkdir(dirname(join(dir, 'data', p)), { recursive: true });
      await writeFile(join(dir, 'data', p), png);
    }
    await chmod(join(dir, 'data', 'train', 'b', '1.png'), 0o000);
    const r = run(['classify', 'train', `data=${dir}/data`, 'model=cnn-small', 'epochs=1', 'cache=False', 'plots=False', `project=${dir}/runs`], { ...process.env, HOME: dir, YOLO_TS_DEBUG: '1' }, 65534);
    expect(r.stderr).toMatch(new RegExp(`^yolo-ts: .*permission denied on ${dir}/data/train/b/1.png: .*\\[E_PERMISSION\\]`));
    expect(r.status).toBe(1);
  });
});

describe('two trainings at once', () => {
  it('with the same project and name get distinct run folders and both finish', async () => {
    const root = await mkdtemp(join(tmpdir(), 'yolo-ts-race-'));
    const env = { ...process.env, YOLO_TS_DATASETS_DIR: join(root, 'datasets') };
    expect(run(['datasets', 'prepare', 'mnist160'], env).status).toBe(0);
    const args = ['classify', 'train', 'data=mnist160', 'model=cnn-small', 'epochs=1', 'plots=False', `project=${root}/runs`, 'name=same'];
    const codes = await Promise.all([0, 1].map(() => new Promise<number | null>((resolve) => spawn(process.execPath, [bin, ...args], { env, stdio: 'ignore' }).on('exit', resolve))));
    expect(codes).toEqual([0, 0]);
    expect((await readdir(join(root, 'runs'))).sort()).toEqual(['same', 'same2']);
    for (const d of ['same', 'same2']) expect((await readFile(join(root, 'runs', d, 'results.csv'), 'utf8')).trim().split('\n')).toHaveLength(2);
  });
});
