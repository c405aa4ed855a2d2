import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeDeadTemporaries, replaceFolderAtomic, writeFileAtomic } from './atomic.js';

describe('atomic writes', () => {
  it('writeFileAtomic writes a string, bytes or chunks, and a failure mid-way keeps the old file and leaves no temporary', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yolo-ts-atomic-'));
    const path = join(dir, 'sub', 'file.bin');
    await writeFileAtomic(path, 'old');
    await writeFileAtomic(path, [Uint8Array.of(1, 2), Uint8Array.of(3)]);
    expect([...(await readFile(path))]).toEqual([1, 2, 3]);
    function* failing() {
      yield Uint8Array.of(9);
      throw new Error('disk gone');
    }
    await expect(writeFileAtomic(path, failing())).rejects.toThrow('disk gone');
    expect([...(await readFile(path))]).toEqual([1, 2, 3]);
    expect(await readdir(join(dir, 'sub'))).toEqual(['file.bin']);
  });

  it('replaceFolderAtomic swaps a folder whole, and a failing fill leaves the old one and no temporary', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yolo-ts-atomic-'));
    const target = join(dir, 'best');
    await mkdir(target);
    await writeFile(join(target, 'a'), 'old');
    await replaceFolderAtomic(target, async (tmp) => writeFile(join(tmp, 'b'), 'new'));
    expect(await readdir(target)).toEqual(['b']);
    await expect(replaceFolderAtomic(target, async (tmp) => {
      await writeFile(join(tmp, 'c'), 'half');
      throw new Error('crashed');
    })).rejects.toThrow('crashed');
    expect(await readdir(target)).toEqual(['b']);
    expect(await readdir(dir)).toEqual(['best']);
  });

  it('the next write removes what a killed writer left (dead pid), and keeps what a live one is writing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yolo-ts-atomic-'));
    const child = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => child.on('exit', resolve));
    const dead = child.pid!;
    await writeFile(join(dir, `.f.bin.tmp-${dead}-abcd1234`), 'half');
    await writeFile(join(dir, `.f.bin.tmp-${process.ppid}-abcd1234`), 'being written');
    await mkdir(join(dir, `.best.tmp-${dead}-abcd1234`));
    await mkdir(join(dir, `.best.old-${dead}-abcd1234`));
    await mkdir(join(dir, 'best'));
    await writeFileAtomic(join(dir, 'f.bin'), 'x');
    await replaceFolderAtomic(join(dir, 'best'), async (tmp) => writeFile(join(tmp, 'a'), 'new'));
    expect((await readdir(dir)).sort()).toEqual([`.f.bin.tmp-${process.ppid}-abcd1234`, 'best', 'f.bin']);
  });

  it('removeDeadTemporaries clears a folder of dead writers\' temporaries, and old folders whose name is back, and keeps the rest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yolo-ts-atomic-'));
    const child = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => child.on('exit', resolve));
    await mkdir(join(dir, `.best.tmp-${child.pid!}-31018db4`));
    await writeFile(join(dir, `.results.csv.tmp-${child.pid!}-abcd1234`), 'half');
    await writeFile(join(dir, `.f.tmp-${process.ppid}-abcd1234`), 'being written');
    await mkdir(join(dir, `.last.old-${child.pid!}-abcd1234`));
    await mkdir(join(dir, `.best.old-${child.pid!}-abcd1234`));
    await mkdir(join(dir, 'best'));
    await removeDeadTemporaries(dir);
    expect((await readdir(dir)).sort()).toEqual([`.f.tmp-${process.ppid}-abcd1234`, `.last.old-${child.pid!}-abcd1234`, 'best']);
  });

  it("a writer killed between its renames leaves no folder: its old one aside stays until the next write puts one in place", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yolo-ts-atomic-'));
    const child = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => child.on('exit', resolve));
    const old = `.last.old-${child.pid!}-abcd1234`;
    await mkdir(join(dir, old)); // `last` itself is missing: this is the only copy (resume reads it)
    await writeFile(join(dir, old, 'a'), 'old');
    await replaceFolderAtomic(join(dir, 'last'), async (tmp) => {
      expect(await readdir(dir)).toContain(old);
      await writeFile(join(tmp, 'a'), 'new');
    });
    expect((await readdir(dir)).sort()).toEqual(['last']);
  });
});
