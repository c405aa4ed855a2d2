import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createPlugin } from './create.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('createPlugin', () => {
  it('scaffolds a package whose own test passes: it builds, and prepares its tree from fixtures', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'yolo-ts-create-')), 'yolo-ts-plugin-kmnist');
    expect(await createPlugin('kmnist', dir, '0.1.0')).toEqual(['package.json', 'tsconfig.json', 'vitest.config.ts', 'src/index.ts', 'src/index.test.ts', 'README.md']);
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: 'yolo-ts-plugin-kmnist', dependencies: { '@yolo-ts/core-data': '^0.1.0' } });
    // What `pnpm install` would link, taken from this workspace.
    await mkdir(join(dir, 'node_modules', '@yolo-ts'), { recursive: true });
    await mkdir(join(dir, 'node_modules', '@types'), { recursive: true });
    await symlink(join(repo, 'packages', 'core-data'), join(dir, 'node_modules', '@yolo-ts', 'core-data'));
    await symlink(join(repo, 'node_modules', 'vitest'), join(dir, 'node_modules', 'vitest'));
    await symlink(join(repo, 'node_modules', '@types', 'node'), join(dir, 'node_modules', '@types', 'node'));
    const tsc = spawnSync(join(repo, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    const test = spawnSync(join(repo, 'node_modules', '.bin', 'vitest'), ['run'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(test.stdout).toMatch(/Tests +1 passed/);
    expect(test.status).toBe(0);
  }, 60_000);

  it('uses the workspace core-data under a yolo-ts workspace plugins/ folder, and refuses bad names and existing folders', async () => {
    const ws = await mkdtemp(join(tmpdir(), 'yolo-ts-ws-'));
    await mkdir(join(ws, 'packages', 'core-data'), { recursive: true });
    await writeFile(join(ws, 'pnpm-workspace.yaml'), 'packages:\n  - packages/*\n  - plugins/*\n');
    await createPlugin('digits', join(ws, 'plugins', 'digits'), '0.1.0');
    expect(JSON.parse(await readFile(join(ws, 'plugins', 'digits', 'package.json'), 'utf8')).dependencies).toEqual({ '@yolo-ts/core-data': 'workspace:*' });
    await expect(createPlugin('digits', join(ws, 'plugins', 'digits'), '0.1.0')).rejects.toThrow(/already exists/);
    await expect(createPlugin('My Set', join(ws, 'x'), '0.1.0')).rejects.toThrow("'My Set' is not a dataset name");
  });
});
