// Ctrl-C (a real SIGINT from outside) in the middle of a long epoch: the run stops after the step it is on, saves
// weights/last at that step and exits 130, instead of finishing the epoch first (a step loop that never lets the
// event loop turn never runs the signal's handler).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin } from './cli.js';

describe('Ctrl-C', () => {
  it('during an epoch of the full MNIST: stops within the epoch, exits 130 and saves the step it stopped at', async () => {
    const root = await mkdtemp(join(tmpdir(), 'yolo-ts-sigint-'));
    const env = { ...process.env, YOLO_TS_DATASETS_DIR: join(root, 'datasets') };
    const args = ['classify', 'train', 'data=mnist', 'model=cnn-small', 'epochs=1', 'plots=False', `project=${root}`, 'name=cut'];
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let signalled = false;
    const onData = (chunk: Buffer) => {
      out += chunk;
      // The epoch table's header is printed as the first step starts: a few seconds later the run is mid-epoch
      // (3,750 steps of MNIST's default batch 16, about a minute on 2 cores).
      if (!signalled && out.includes('Epoch')) {
        signalled = true;
        setTimeout(() => child.kill('SIGINT'), 3000);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, out).toBe(130);
    const stopped = /SIGINT: training stopped at epoch 1\/1, step (\d+)\/(\d+); saved .*cut\/weights\/last/.exec(out);
    expect(stopped, out).not.toBeNull();
    const [step, steps] = [Number(stopped![1]), Number(stopped![2])];
    expect(step).toBeGreaterThan(0);
    expect(step).toBeLessThan(steps);
    const state = JSON.parse(await readFile(join(root, 'cut', 'weights', 'last', 'train_state.json'), 'utf8'));
    expect([state.epoch, state.start.step]).toEqual([0, step]);
  }, 300_000);
});
