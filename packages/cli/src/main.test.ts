import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');
const cwd = mkdtempSync(join(tmpdir(), 'yolo-ts-cli-'));
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });

describe('yolo-ts binary', () => {
  it('prints help with the grammar and every setting', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: yolo-ts \[classify\] MODE key=value/);
    expect(r.stdout).toMatch(/epochs=10 +number of passes/);
  });

  it.each([
    [['classify', 'train', 'epoch=3'], "yolo-ts: 'epoch' is not a valid yolo-ts argument. Similar arguments are i.e. 'epochs=10'."],
    [['classify', 'train', 'data=minst'], "yolo-ts: unknown dataset 'minst'. Did you mean 'mnist'?"],
    [['classify', 'train', 'data=mnist160', 'batch=-1'], "yolo-ts: 'batch=-1' is an invalid value: 'batch' must be at least 1"],
    [['classify', 'val', 'model=nowhere'], "yolo-ts: val needs a trained model folder"],
    [['classify', 'predict'], "yolo-ts: mode 'predict' is not available yet"],
  ])('%j fails with one clear line and exit code 2', (args, start) => {
    const r = run(...args);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.startsWith(start)).toBe(true);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('trains end to end and exits by itself (threaded wasm workers must not keep Node alive)', () => {
    const r = run('classify', 'train', 'data=mnist160', 'epochs=1', 'device=wasm', 'project=runs', 'name=e2e');
    expect(r.error).toBeUndefined(); // a timeout would set it
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^backend: wasm \(\d+ threads?/m);
    expect(r.stdout).toMatch(/1 epochs completed/);
  });

  it('lists the datasets', () => {
    const r = run('datasets');
    expect(r.status).toBe(0);
    for (const name of ['mnist', 'mnist160', 'emnist', 'fashion-mnist']) expect(r.stdout).toMatch(new RegExp(`^${name} `, 'm'));
  });
});
