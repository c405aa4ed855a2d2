import { existsSync, readdirSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { replaceFolderAtomic, writeFileAtomic } from '@yolo-ts/core-data';
import { saveModel, type ModelMetadata } from '@yolo-ts/models';
import type { RunConfig } from '../config/defaults.js';
import { ConfigError } from '../config/config.js';
import type { EpochResult } from '../run/results.js';
import type { EpochStart, RunnerState } from './epoch-runner.js';

/** Beside a checkpoint's `model.json`: what resuming needs besides the (EMA) model itself. */
export const STATE_JSON = 'train_state.json';
const STATE_BIN = 'train_state.bin';

/** Where a run stands: what `weights/last` records after every epoch and on an interruption. */
export interface TrainProgress {
  /** The epoch to train next (from 0), and where in it (step 0 at an epoch boundary). */
  epoch: number;
  start: EpochStart;
  /** The best epoch so far (from 1; 0 = none): its row in `results` gives the best fitness. */
  bestEpoch: number;
  /** Seconds trained so far, carried over a resume. */
  elapsed: number;
  /** True once the run completed (or stopped early): nothing to resume. */
  finished: boolean;
  results: EpochResult[];
  /** The resolved settings; `epochs` as planned so far (the `time` setting re-plans it). */
  args: RunConfig;
}

interface StateFile extends TrainProgress {
  version: 1;
  steps: number;
  iterations: number[];
  /** Layout of train_state.bin: float32 arrays one after another. */
  arrays: { key: string; length: number }[];
}

/** Saves `model` (holding the weights to publish: the EMA) as a plain model folder, atomically. */
export async function saveWeights(model: tf.LayersModel, dir: string, metadata: ModelMetadata): Promise<void> {
  await replaceFolderAtomic(dir, (tmp) => saveModel(model, tmp, metadata));
}

/**
 * Saves a resumable checkpoint: `model` as a model folder (loadable like any other) plus the runner state (live
 * weights, EMA, optimizer) and the run's progress, atomically.
 */
export async function saveCheckpoint(model: tf.LayersModel, dir: string, metadata: ModelMetadata, progress: TrainProgress, state: RunnerState): Promise<void> {
  await replaceFolderAtomic(dir, async (tmp) => {
    await saveModel(model, tmp, metadata);
    const arrays: { key: string; values: Float32Array }[] = [
      ...state.live.map((values, i) => ({ key: `live/${i}`, values })),
      ...state.ema.map((values, i) => ({ key: `ema/${i}`, values })),
      ...Object.entries(state.optimizer.slots).map(([key, values]) => ({ key: `optimizer/${key}`, values })),
    ];
    const file: StateFile = { version: 1, ...progress, steps: state.steps, iterations: state.optimizer.iterations, arrays: arrays.map((a) => ({ key: a.key, length: a.values.length })) };
    await writeFile(join(tmp, STATE_BIN), Buffer.concat(arrays.map((a) => Buffer.from(a.values.buffer, a.values.byteOffset, a.values.byteLength))));
    await writeFile(join(tmp, STATE_JSON), JSON.stringify(file));
  });
}

/** Records in `dir`'s checkpoint that its run completed, so that resuming it says so (atomic file replace). */
export async function markFinished(dir: string): Promise<void> {
  const path = join(dir, STATE_JSON);
  const file = JSON.parse(await readFile(path, 'utf8')) as StateFile;
  await writeFileAtomic(path, JSON.stringify({ ...file, finished: true }));
}

/** A checkpoint folder's progress and runner state. */
export async function loadCheckpoint(dir: string): Promise<{ progress: TrainProgress; state: RunnerState }> {
  let file: StateFile;
  let bin: Buffer;
  try {
    file = JSON.parse(await readFile(join(dir, STATE_JSON), 'utf8')) as StateFile;
    bin = await readFile(join(dir, STATE_BIN));
  } catch (error) {
    throw new ConfigError(`cannot resume from ${dir}: ${(error as Error).message.split('\n')[0]} (only weights/last of a yolo-ts training run can be resumed)`);
  }
  const expected = file.arrays.reduce((a, x) => a + 4 * x.length, 0);
  if (file.version !== 1 || bin.length !== expected) throw new ConfigError(`cannot resume from ${dir}: ${STATE_BIN} holds ${bin.length} bytes, ${STATE_JSON} describes ${expected}`);
  const data = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  const live: Float32Array[] = [];
  const ema: Float32Array[] = [];
  const slots: Record<string, Float32Array> = {};
  let offset = 0;
  for (const { key, length } of file.arrays) {
    const values = data.subarray(offset, offset + length);
    offset += length;
    const [kind, ...rest] = key.split('/');
    if (kind === 'live') live.push(values);
    else if (kind === 'ema') ema.push(values);
    else slots[rest.join('/')] = values;
  }
  const { version: _v, steps, iterations, arrays: _a, ...progress } = file;
  return { progress, state: { live, ema, steps, optimizer: { iterations, slots } } };
}

/**
 * The checkpoint `resume=` names: True = the newest `weights/last` in `project`; else a path to a run folder, its
 * `weights/last` folder, or Ultralytics' `weights/last.pt`. A folder left aside by an interrupted save counts.
 */
export async function findCheckpoint(resume: string, project: string): Promise<string> {
  if (/^true$/i.test(resume)) {
    const runs = existsSync(project) ? await readdir(project, { withFileTypes: true }) : [];
    const found: { dir: string; time: number }[] = [];
    for (const r of runs.filter((d) => d.isDirectory())) {
      const dir = checkpointDir(join(project, r.name, 'weights', 'last'));
      if (dir) found.push({ dir, time: (await stat(join(dir, STATE_JSON))).mtimeMs });
    }
    if (found.length === 0) throw new ConfigError(`resume=True found no run to resume in ${project}: give resume=path/to/weights/last`);
    return found.sort((a, b) => b.time - a.time)[0]!.dir;
  }
  for (const candidate of [join(resume, 'weights', 'last'), resume, resume.replace(/\.pt$/, '')]) {
    const dir = checkpointDir(candidate);
    if (dir) return dir;
  }
  throw new ConfigError(`resume=${resume}: no checkpoint there (give a run folder or its weights/last)`);
}

/** `dir` when it holds a checkpoint, else the copy an interrupted save left aside beside it, else undefined. */
function checkpointDir(dir: string): string | undefined {
  if (existsSync(join(dir, STATE_JSON))) return dir;
  const parent = dirname(dir);
  if (!existsSync(parent)) return undefined;
  const aside = readdirSync(parent).find((f) => f.startsWith(`.${basename(dir)}.old-`) && existsSync(join(parent, f, STATE_JSON)));
  return aside ? join(parent, aside) : undefined;
}
