import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The built helper (nx builds the package before its tests): Node 20 cannot import TypeScript.
const helper = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'testing', 'temp-root.js');

describe('useTestTempRoot', () => {
  it("is this run's tmpdir (set by vitest.config.ts), world-writable and sticky as /tmp, inherited by children", () => {
    expect(basename(tmpdir())).toMatch(/^yolo-ts-test-core-data-/);
    expect(statSync(tmpdir()).mode & 0o7777).toBe(0o1777);
    const child = spawnSync(process.execPath, ['-p', 'require("node:os").tmpdir()'], { encoding: 'utf8' });
    expect(child.stdout.trim()).toBe(tmpdir());
  });

  it('removes the folder and what was written in it when the process exits', () => {
    const script = `import { writeFileSync } from 'node:fs'; import { join } from 'node:path';
      const { useTestTempRoot } = await import(${JSON.stringify(helper)});
      const root = useTestTempRoot('probe'); writeFileSync(join(root, 'f'), 'x'); console.log(root);`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    const root = child.stdout.trim();
    expect(root).toContain(join(tmpdir(), 'yolo-ts-test-probe-'));
    expect(existsSync(root)).toBe(false);
  });
});
