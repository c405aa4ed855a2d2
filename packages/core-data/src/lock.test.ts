import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { withLock } from './lock.js';

describe('withLock', () => {
  it('runs holders one after the other and removes the lock file', async () => {
    const lock = join(await mkdtemp(join(tmpdir(), 'yolo-ts-lock-')), 'x.lock');
    const events: string[] = [];
    const lines: string[] = [];
    const job = (name: string) =>
      withLock(
        lock,
        async () => {
          events.push(`${name} in`);
          await sleep(50);
          events.push(`${name} out`);
        },
        { pollMs: 10, log: (l) => lines.push(l) },
      );
    await Promise.all([job('a'), job('b')]);
    // Either may take the lock first (both race to create it); the other waits until it is released.
    const [first, second] = events[0] === 'a in' ? ['a', 'b'] : ['b', 'a'];
    expect(events).toEqual([`${first} in`, `${first} out`, `${second} in`, `${second} out`]);
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^waiting for another process \\(pid ${process.pid} on .*\\) that holds .*x\\.lock$`))]);
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over a lock left by a process that died', async () => {
    const lock = join(await mkdtemp(join(tmpdir(), 'yolo-ts-lock-')), 'x.lock');
    const child = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => child.on('exit', resolve));
    await writeFile(lock, JSON.stringify({ pid: child.pid, host: hostname() }));
    expect(await withLock(lock, async () => 'ran', { pollMs: 10 })).toBe('ran');
  });

  it('releases the lock when the holder fails', async () => {
    const lock = join(await mkdtemp(join(tmpdir(), 'yolo-ts-lock-')), 'x.lock');
    await expect(withLock(lock, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(existsSync(lock)).toBe(false);
  });
});
