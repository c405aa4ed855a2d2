import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRunDir } from './run-dir.js';

describe('createRunDir', () => {
  it('numbers taken names train, train2, train3 and reuses with exist_ok', async () => {
    const project = join(await mkdtemp(join(tmpdir(), 'yolo-ts-runs-')), 'classify');
    expect(await createRunDir(project, 'train', false)).toBe(join(project, 'train'));
    expect(await createRunDir(project, 'train', false)).toBe(join(project, 'train2'));
    expect(await createRunDir(project, 'train', true)).toBe(join(project, 'train'));
    // Runs started together each get their own folder.
    const dirs = await Promise.all([1, 2, 3, 4].map(() => createRunDir(project, 'exp', false)));
    expect(new Set(dirs).size).toBe(4);
  });
});
