// kill -9 at seeded random moments of `datasets prepare` and of training, then the command again (`resume=True` for
// training): the dataset ends complete, the run ends with the rows of an uninterrupted one (but time), and no
// temporary file is left behind.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, runCli as run } from './cli.js';

const KILLS = 20;

/** A seeded stream in [0, 1) (mulberry32), so the kill times are the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs the CLI and kills it with SIGKILL after `ms` (or lets it finish first); resolves with how it ended. */
function runKilledAfter(args: string[], env: NodeJS.ProcessEnv, ms: number): Promise<'killed' | 'finished'> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      resolve(signal === 'SIGKILL' ? 'killed' : 'finished');
    });
  });
}


/** Every path below `dir` whose name marks a temporary (ours: `.NAME.tmp-*`, `.NAME.old-*`, `*.part`). */
async function temporaries(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (/\.(tmp|old)-\d+-|\.part$/.test(e.name)) out.push(join(e.parentPath, e.name));
  }
  return out;
}

/** results.csv without its time column, which differs run to run. */
async function rowsButTime(runDir: string): Promise<string[]> {
  const [header, ...rows] = (await readFile(join(runDir, 'results.csv'), 'utf8')).trim().split('\n');
  const t = header!.split(',').indexOf('time');
  return [header!, ...rows].map((r) => r.split(',').filter((_, i) => i !== t).join(','));
}

describe('kill -9', () => {
  it(`during datasets prepare, ${KILLS} times: the next prepare gives the complete dataset and leaves no temporary`, async () => {
    const datasets = await mkdtemp(join(tmpdir(), 'yolo-ts-kill-data-'));
    const env = { ...process.env, YOLO_TS_DATASETS_DIR: datasets };
    const t0 = performance.now();
    expect(run(['datasets', 'prepare', 'mnist160'], env).status).toBe(0);
    const full = performance.now() - t0;
    const reference = (await readdir(join(datasets, 'mnist160'), { recursive: true })).sort();
    const next = random(1);
    let killed = 0;
    for (let k = 0; k < KILLS; k++) {
      await rm(join(datasets, 'mnist160'), { recursive: true, force: true });
      if ((await runKilledAfter(['datasets', 'prepare', 'mnist160'], env, full * (0.05 + 0.75 * next()))) === 'killed') killed++;
      const again = run(['datasets', 'prepare', 'mnist160'], env);
      expect(again.status, again.stderr).toBe(0);
      expect((await readdir(join(datasets, 'mnist160'), { recursive: true })).sort()).toEqual(reference);
      expect(await temporaries(datasets)).toEqual([]);
    }
    console.log(`datasets prepare: ${KILLS} seeded kill times over ${Math.round(full)} ms, ${killed} landed before it finished; each rerun complete`);
    expect(killed).toBeGreaterThanOrEqual(KILLS / 2);
  }, 600_000);

  it(`during training, ${KILLS} times: resume=True ends with the rows of an uninterrupted run and no temporary`, async () => {
    const root = await mkdtemp(join(tmpdir(), 'yolo-ts-kill-train-'));
    const env = { ...process.env, YOLO_TS_DATASETS_DIR: join(root, 'datasets') };
    const train = (name: string, extra: string[] = []) => ['classify', 'train', 'data=mnist160', 'model=cnn-small', 'epochs=6', 'plots=False', `project=${root}`, `name=${name}`, ...extra];
    run(['datasets', 'prepare', 'mnist160'], env);
    const t0 = performance.now();
    expect(run(train('reference'), env).status).toBe(0);
    const full = performance.now() - t0;
    const expected = await rowsButTime(join(root, 'reference'));
    const next = random(2);
    let killed = 0;
    for (let k = 0; k < KILLS; k++) {
      const name = `run${k}`;
      // Kill times in 10–70% of an uninterrupted run, so that they land even when this machine is busier than it was.
      if ((await runKilledAfter(train(name), env, full * (0.1 + 0.6 * next()))) === 'killed') killed++;
      const last = join(root, name, 'weights', 'last');
      // Killed before the first epoch was saved: nothing to resume, so the run starts again under the same name.
      const again = existsSync(join(root, name)) && (existsSync(last) || (await readdir(join(root, name, 'weights')).catch(() => [])).length) ? run(train(name, [`resume=${join(root, name)}`]), env) : run(train(name, ['exist_ok=True']), env);
      if (again.status !== 0 && /no checkpoint|nothing to resume|cannot resume/.test(again.stderr)) expect(run(train(name, ['exist_ok=True']), env).status).toBe(0);
      else expect(again.status, again.stderr).toBe(0);
      expect(await rowsButTime(join(root, name))).toEqual(expected);
      expect(await temporaries(join(root, name))).toEqual([]);
    }
    console.log(`training: ${KILLS} seeded kill times over ${Math.round(full)} ms, ${killed} landed before it finished; every run resumed to the reference rows`);
    expect(killed).toBeGreaterThanOrEqual(KILLS / 2);
  }, 900_000);
});
