import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A temporary name beside `path`, unique to this process and call. */
const tempBeside = (path: string, kind: string) => join(dirname(path), `.${basename(path)}.${kind}-${process.pid}-${randomBytes(4).toString('hex')}`);

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by another user
  }
};

/**
 * Removes the temporaries (`kind` tmp or old) that a process killed mid-write (kill -9, power loss) left beside
 * `path`; those of live processes, which may be writing now, stay.
 */
async function removeStale(path: string, kinds: string[]): Promise<void> {
  const names = await readdir(dirname(path)).catch(() => [] as string[]);
  for (const kind of kinds) {
    const prefix = `.${basename(path)}.${kind}-`;
    for (const name of names) {
      const pid = Number(name.startsWith(prefix) ? name.slice(prefix.length).split('-')[0] : NaN);
      if (Number.isInteger(pid) && pid !== process.pid && !alive(pid)) await rm(join(dirname(path), name), { recursive: true, force: true });
    }
  }
}

/**
 * Writes a file (given whole or as chunks) through a unique temporary name, flushed to disk (fsync) before it is
 * renamed into place, so a reader, or the file after a crash or power loss, is the old version or the new one,
 * never half of one. The temporary file is removed when anything fails, and those of writers killed before (dead
 * processes) when the next write starts.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array | Iterable<Uint8Array>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await removeStale(path, ['tmp']);
  const tmp = tempBeside(path, 'tmp');
  try {
    const file = await open(tmp, 'w');
    try {
      // Each writeFile continues where the last one ended, and loops until its chunk is written.
      for (const chunk of typeof data === 'string' || data instanceof Uint8Array ? [data] : data) await file.writeFile(chunk);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/**
 * Removes what dead writers left in `folder`, whatever they were writing: every temporary (`.NAME.tmp-PID-*`), and
 * every old folder aside (`.NAME.old-PID-*`) whose NAME is in place again (while it is missing, the old one is the
 * only copy). A run resumed after a kill may never write those names again (weights/best without a better epoch,
 * weights/last when the kill came after the final epoch's save).
 */
export async function removeDeadTemporaries(folder: string): Promise<void> {
  const names = await readdir(folder).catch(() => [] as string[]);
  for (const name of names) {
    const match = /^\.(.+)\.(tmp|old)-(\d+)-[0-9a-f]+$/.exec(name);
    if (!match) continue;
    const [, target, kind, pid] = match as unknown as [string, string, string, string];
    const obsolete = kind === 'tmp' || names.includes(target);
    if (obsolete && Number(pid) !== process.pid && !alive(Number(pid))) await rm(join(folder, name), { recursive: true, force: true });
  }
}

/**
 * Replaces the folder `dir` whole: `fill` writes the new one into a temporary folder beside it, which is renamed
 * into place after the old one is moved aside (and then removed). A crash leaves the old folder, the new one, or the
 * old one aside (`.NAME.old-*`, which readers such as resume may look for), never a mix; a failure of `fill`
 * leaves `dir` as it was.
 */
export async function replaceFolderAtomic(dir: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  await removeStale(dir, ['tmp']);
  const tmp = tempBeside(dir, 'tmp');
  const aside = tempBeside(dir, 'old');
  await mkdir(tmp, { recursive: true });
  try {
    await fill(tmp);
    const existed = existsSync(dir);
    if (existed) await rename(dir, aside);
    await rename(tmp, dir);
    if (existed) await rm(aside, { recursive: true, force: true });
    // A dead writer's old folder aside is the only copy while `dir` is missing (resume reads it): obsolete only now.
    await removeStale(dir, ['old']);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
}
