import { link, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

export interface LockOptions {
  /** Told once when another process holds the lock and this one waits. */
  log?: (line: string) => void;
  /** How often a waiting process looks again. */
  pollMs?: number;
}

interface Owner {
  pid: number;
  host: string;
}

/** A lock file that cannot be read (not written by withLock) is only taken as abandoned after this long. */
const UNREADABLE_STALE_MS = 10_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the lock at `path` was left by a process on this host that no longer runs. */
async function abandoned(path: string, owner: Owner | undefined): Promise<boolean> {
  if (owner) return owner.host === hostname() && !alive(owner.pid);
  const age = Date.now() - (await stat(path)).mtimeMs;
  return age > UNREADABLE_STALE_MS;
}

async function readOwner(path: string): Promise<Owner | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Owner;
  } catch {
    return undefined; // removed meanwhile, or not ours
  }
}

/**
 * Runs `fn` while holding the lock file `path`, which holds this process's pid and host. The file is written
 * beside it first and then hard-linked into place, so it appears whole or not at all (link fails if it exists).
 * Other callers, in this process or another, wait until it is released. A lock whose process died on this host
 * is taken over, so a crash never blocks the next run.
 */
export async function withLock<T>(path: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  let told = false;
  const draft = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(draft, JSON.stringify({ pid: process.pid, host: hostname() } satisfies Owner));
  try {
    for (;;) {
      try {
        await link(draft, path);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = await readOwner(path);
      try {
        if (await abandoned(path, owner)) {
          await rm(path, { force: true });
          continue;
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile
        throw error;
      }
      if (!told) {
        options.log?.(`waiting for another process${owner ? ` (pid ${owner.pid} on ${owner.host})` : ''} that holds ${path}`);
        told = true;
      }
      await sleep(options.pollMs ?? 250);
    }
  } finally {
    await rm(draft, { force: true });
  }
  try {
    return await fn();
  } finally {
    await rm(path, { force: true });
  }
}
