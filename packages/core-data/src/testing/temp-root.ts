import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * For a package's vitest config: points `os.tmpdir()` of the test run (TMPDIR, which its workers and the processes
 * they spawn inherit) at a fresh folder that is removed when the run exits. Tests make many folders under tmpdir()
 * (datasets, runs, exports: ~1.5 GB for the whole suite) and removing each in every test is easy to forget. Mode
 * 1777 as /tmp, so tests that run the CLI as another user can still make folders there.
 */
export function useTestTempRoot(name: string): string {
  const root = mkdtempSync(join(tmpdir(), `yolo-ts-test-${name}-`));
  chmodSync(root, 0o1777);
  process.env.TMPDIR = root;
  process.on('exit', () => {
    try {
      rmSync(root, { recursive: true, force: true });
    } catch (e) {
      // e.g. a tmpfs a failed test left mounted: say so rather than fail the run's exit
      console.warn(`could not remove the test folder ${root}: ${(e as Error).message}`);
    }
  });
  return root;
}
