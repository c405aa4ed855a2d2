import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The PyTorch anchor beside the repo (../shared/anchors/pytorch), or undefined when it is not there. */
export function anchorDir(repoRoot: string): string | undefined {
  const dir = resolve(repoRoot, '..', 'shared', 'anchors', 'pytorch');
  return existsSync(join(dir, 'run_ratio_anchor.sh')) ? dir : undefined;
}

export interface AnchorResult {
  train_img_s: number;
  eval_img_s: number;
  step_ms_median: number;
}

/** One anchor measurement (its last output line is JSON). */
export async function runAnchor(dir: string, model: string, batch: number, steps: number, mnistDir: string): Promise<AnchorResult> {
  const { stdout } = await run(join(dir, 'run_ratio_anchor.sh'), [model, String(batch), String(steps)], {
    env: { ...process.env, MNIST_IDX_DIR: mnistDir },
    maxBuffer: 1 << 24,
  });
  const line = stdout.trim().split('\n').at(-1)!;
  return JSON.parse(line) as AnchorResult;
}

/** Installs the anchor (Debian's python3-torch and an unpacked OpenBLAS) when torch is missing. */
export async function ensureAnchor(dir: string): Promise<void> {
  try {
    await run('/usr/bin/python3', ['-c', 'import torch']);
  } catch {
    await run('bash', [join(dir, 'setup.sh')], { maxBuffer: 1 << 24 });
  }
}
