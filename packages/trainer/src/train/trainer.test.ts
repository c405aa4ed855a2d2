import { cp, mkdir, mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePng } from '@yolo-ts/core-data';
import { loadModel } from '@yolo-ts/models';
import * as tf from '@tensorflow/tfjs';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { RESULT_COLUMNS } from '../run/results.js';
import { TRAINER_EVENTS, type TrainerEvent } from './callbacks.js';
import { train } from './train.js';
import { TrainingInterrupted } from './trainer.js';

const quiet = () => {};
/** A small, fast, seeded run: mnist160 on yolo26n-cls from scratch (BatchNorm, attention, replicas possible). */
const base = { data: 'mnist160', model: 'yolo26n-cls.yaml', device: 'wasm', seed: 7, verbose: false, plots: false } as const;

/** results.csv without its time column. */
async function rowsWithoutTime(saveDir: string): Promise<string[]> {
  return (await readFile(join(saveDir, 'results.csv'), 'utf8')).trim().split('\n').map((l) => l.split(',').filter((_, i) => i !== 1).join(','));
}

async function lastWeights(saveDir: string): Promise<Float32Array[]> {
  const { model } = await loadModel(join(saveDir, 'weights', 'last'));
  const values = model.getWeights().map((w) => w.dataSync() as Float32Array);
  model.dispose();
  return values;
}

function expectClose(a: Float32Array[], b: Float32Array[], tolerance: number): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  a.forEach((x, i) => x.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - b[i]![j]!)))));
  expect(worst).toBeLessThanOrEqual(tolerance);
}

describe('Trainer (real runs on mnist160, wasm)', () => {
  it("fires Ultralytics' events in order, and a callback can stop the run", async () => {
    const project = await mkdtemp(join(tmpdir(), 'yolo-ts-events-'));
    const seen: TrainerEvent[] = [];
    const callbacks = Object.fromEntries(TRAINER_EVENTS.map((e) => [e, () => void seen.push(e)]));
    callbacks.on_fit_epoch_end = (t: { epoch: number; stop: boolean }) => {
      seen.push('on_fit_epoch_end');
      if (t.epoch === 1) t.stop = true;
    };
    const result = await train({ ...base, epochs: 5, project }, { log: quiet, callbacks });
    expect(result.results).toHaveLength(2);
    const epoch = ['on_train_epoch_start', ...Array(5).fill('on_train_batch_end'), 'on_train_epoch_end', 'on_model_save', 'on_fit_epoch_end'];
    expect(seen).toEqual(['on_pretrain_routine_start', 'on_pretrain_routine_end', 'on_train_start', ...epoch, ...epoch, 'on_train_end']);
  }, 120_000);

  it('trains with the compiled step, which leaves no tensor behind epoch after epoch, and matches the tfjs step', async () => {
    const project = await mkdtemp(join(tmpdir(), 'yolo-ts-compiled-'));
    const lines: string[] = [];
    const tensors: number[] = [];
    const callbacks = { on_fit_epoch_end: () => void tensors.push(tf.memory().numTensors) };
    const compiled = await train({ ...base, epochs: 4, project, name: 'compiled' }, { log: (l) => lines.push(l), callbacks });
    expect(lines.some((l) => l.startsWith('optimizer: ') && l.endsWith('compiled step (native kernels)'))).toBe(true);
    expect(new Set(tensors.slice(1)).size).toBe(1);
    process.env.YOLO_TS_COMPILED = '0';
    try {
      const plain = await train({ ...base, epochs: 4, project, name: 'tfjs' }, { log: (l) => lines.push(l) });
      expect(lines.filter((l) => l.startsWith('optimizer: ')).at(-1)).toMatch(/tfjs step$/);
      // Same maths, other kernels and summation orders: the training losses agree to float tolerance.
      const loss = (r: typeof plain) => r.results.map((row) => row['train/loss']);
      loss(compiled).forEach((l, i) => expect(Math.abs(l - loss(plain)[i]!)).toBeLessThan(0.01 * loss(plain)[i]!));
    } finally {
      delete process.env.YOLO_TS_COMPILED;
    }
  }, 120_000);

  it('reruns with the same seed give the same results.csv (but time), with 1 and with 2 replicas', async () => {
    for (const replicas of [1, 2]) {
      const project = await mkdtemp(join(tmpdir(), `yolo-ts-det${replicas}-`));
      const a = await train({ ...base, epochs: 2, replicas, project }, { log: quiet });
      const b = await train({ ...base, epochs: 2, replicas, project }, { log: quiet });
      expect(await rowsWithoutTime(b.saveDir)).toEqual(await rowsWithoutTime(a.saveDir));
      expectClose(await lastWeights(b.saveDir), await lastWeights(a.saveDir), 0);
    }
  }, 180_000);

  it('resumes from every epoch boundary to the same results and weights as an uninterrupted run', async () => {
    const project = await mkdtemp(join(tmpdir(), 'yolo-ts-resume-'));
    const snapshots = join(project, 'snapshots');
    // The uninterrupted run, keeping a copy of weights/last at each epoch boundary (what a kill -9 would leave).
    const full = await train({ ...base, epochs: 3, project, name: 'full' }, {
      log: quiet,
      callbacks: { on_model_save: async (t) => void (await cp(t.weights.last, join(snapshots, String(t.epoch + 1), 'weights', 'last'), { recursive: true })) },
    });
    const header = RESULT_COLUMNS.join(',');
    for (const boundary of [1, 2]) {
      const run = join(project, `killed-after-${boundary}`);
      await mkdir(run, { recursive: true });
      await cp(join(snapshots, String(boundary)), run, { recursive: true });
      const lines: string[] = [];
      const tensors = tf.memory().numTensors;
      const resumed = await train({ resume: join(run, 'weights', 'last') }, { log: (l) => lines.push(l) });
      expect(tf.memory().numTensors).toBe(tensors); // the restored state leaves nothing behind
      expect(lines.some((l) => l.startsWith(`Resuming training from ${join(run, 'weights', 'last')} at epoch ${boundary + 1}/3`))).toBe(true);
      expect(resumed.saveDir).toBe(run);
      const rows = await rowsWithoutTime(run);
      expect(rows[0]).toBe(header.split(',').filter((c) => c !== 'time').join(','));
      expect(rows).toEqual(await rowsWithoutTime(full.saveDir));
      expectClose(await lastWeights(run), await lastWeights(full.saveDir), 1e-5);
    }
    // A finished run has nothing to resume.
    await expect(train({ resume: full.weights.last }, { log: quiet })).rejects.toThrow(/training to 3 epochs is finished, nothing to resume/);
  }, 240_000);

  it('saves where SIGINT stopped it, mid-epoch, and resumes to the uninterrupted weights', async () => {
    const project = await mkdtemp(join(tmpdir(), 'yolo-ts-sigint-'));
    const full = await train({ ...base, epochs: 2, project, name: 'full' }, { log: quiet });
    const cut = train({ ...base, epochs: 2, project, name: 'cut' }, {
      log: quiet,
      callbacks: { on_train_batch_end: (t) => void (t.epoch === 1 && t.batch.index === 2 && process.kill(process.pid, 'SIGINT')) }, // a real signal, as Ctrl-C sends
    });
    await expect(cut).rejects.toThrow(TrainingInterrupted);
    await expect(cut).rejects.toThrow(/SIGINT: training stopped at epoch 2\/2, step 2\/5; saved .*cut\/weights\/last/);
    const state = JSON.parse(await readFile(join(project, 'cut', 'weights', 'last', 'train_state.json'), 'utf8'));
    expect([state.epoch, state.start.step]).toEqual([1, 2]);
    await train({ resume: join(project, 'cut') }, { log: quiet });
    expect(await rowsWithoutTime(join(project, 'cut'))).toEqual(await rowsWithoutTime(full.saveDir));
    expectClose(await lastWeights(join(project, 'cut')), await lastWeights(full.saveDir), 1e-5);
  }, 180_000);

  it('stops a plateaued run after patience epochs, with Ultralytics\' message', async () => {
    const project = await mkdtemp(join(tmpdir(), 'yolo-ts-patience-'));
    const lines: string[] = [];
    // A learning rate of 0 (and no bias warmup) leaves the weights, and so the fitness, unchanged.
    const result = await train({ ...base, epochs: 10, patience: 2, optimizer: 'SGD', lr0: 0, warmup_bias_lr: 0, project }, { log: (l) => lines.push(l) });
    expect(result.results).toHaveLength(3);
    expect(result.bestEpoch).toBe(1);
    expect(lines).toContain(
      'EarlyStopping: Training stopped early as no improvement observed in last 2 epochs. Best results observed at epoch 1, best model saved as weights/best. To update EarlyStopping(patience=2) pass a new patience value, i.e. `patience=300` or use `patience=0` to disable EarlyStopping.',
    );
  }, 120_000);

  it('draws results.png, both confusion matrices and train_batch0.jpg as real, non-blank images', async () => {
    const project = await mkdtemp(join(tmpdir(), 'yolo-ts-plots-'));
    const { saveDir } = await train({ ...base, model: 'yolo26n-cls.pt', epochs: 2, plots: true, project }, { log: quiet });
    expect((await readdir(saveDir)).sort()).toEqual(['args.yaml', 'confusion_matrix.png', 'confusion_matrix_normalized.png', 'results.csv', 'results.png', 'train_batch0.jpg', 'weights']);
    const spread = (px: Uint8Array) => {
      let [lo, hi] = [255, 0];
      for (const v of px) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
      return hi - lo;
    };
    for (const [file, minWidth, minHeight] of [['results.png', 1500, 300], ['confusion_matrix.png', 600, 600], ['confusion_matrix_normalized.png', 600, 600]] as const) {
      const png = decodePng(await readFile(join(saveDir, file)), file);
      expect(png.width).toBeGreaterThanOrEqual(minWidth);
      expect(png.height).toBeGreaterThanOrEqual(minHeight);
      expect(spread(png.data)).toBeGreaterThan(200);
    }
    const batch = jpeg.decode(await readFile(join(saveDir, 'train_batch0.jpg')));
    expect([batch.width, batch.height]).toEqual([4 * 96, 4 * (96 + 18)]); // 16 images of batch 16, 4 × 4
    expect(spread(batch.data)).toBeGreaterThan(200);
  }, 120_000);

  it("accepts Ultralytics' keys that do not apply with one warning each, and still refuses unknown ones", async () => {
    const project = await mkdtemp(join(tmpdir(), 'yolo-ts-keys-'));
    const lines: string[] = [];
    const result = await train({ ...base, epochs: 1, project, max_det: 300, mosaic: 1, agnostic_nms: true }, { log: (l) => lines.push(l) });
    expect(result.results).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('WARNING'))).toEqual(['max_det', 'mosaic', 'agnostic_nms'].map((k) => `WARNING '${k}' is an Ultralytics argument that yolo-ts classify does not use; ignoring it`));
    await expect(train({ ...base, epochs: 1, project, max_dets: 3 }, { log: quiet })).rejects.toThrow(/'max_dets' is not a valid yolo-ts argument/);
  }, 60_000);
});

describe('Trainer settings (real runs on mnist160)', () => {
  it('save_period keeps weights/epochE, fraction trains on a share, best.pt finds weights/best', async () => {
    const project = await mkdtemp(join(tmpdir(), 'yolo-ts-settings-'));
    const r = await train({ ...base, epochs: 3, save_period: 2, fraction: 0.5, project }, { log: quiet });
    expect((await readdir(join(r.saveDir, 'weights'))).sort()).toEqual(['best', 'epoch0', 'epoch2', 'last']);
    const lines: string[] = [];
    await train({ ...base, epochs: 1, fraction: 0.5, project, model: join(r.saveDir, 'weights', 'best.pt'), verbose: true }, { log: (l) => lines.push(l) });
    expect(lines).toContain('Training on 40 mnist160 images, validating on 80, at imgsz=28, batch=16');
  }, 120_000);

  it('time= re-plans the epochs from their duration and stops when the time is up', async () => {
    const project = await mkdtemp(join(tmpdir(), 'yolo-ts-time-'));
    // 1 ms of budget: the first epoch uses it up, and the plan shrinks to that one epoch.
    const r = await train({ ...base, epochs: 50, time: 1e-3 / 3600, project }, { log: quiet });
    expect(r.results).toHaveLength(1);
    expect(r.config.epochs).toBe(1);
  }, 60_000);

  it('dropout adds a Dropout layer before the classifier, label_smoothing raises the training loss', async () => {
    const project = await mkdtemp(join(tmpdir(), 'yolo-ts-reg-'));
    // A learning rate of 0 keeps the weights: the two runs see the same logits, and the smoothed target costs more.
    const still = { ...base, epochs: 1, optimizer: 'SGD', lr0: 0, warmup_bias_lr: 0, project } as const;
    const plain = await train(still, { log: quiet });
    const smooth = await train({ ...still, label_smoothing: 0.5 }, { log: quiet });
    expect(smooth.results[0]!['train/loss']).toBeGreaterThan(plain.results[0]!['train/loss'] + 0.01);
    const dropped = await train({ ...base, epochs: 1, dropout: 0.3, project }, { log: quiet });
    const { model } = await loadModel(dropped.weights.last);
    expect(model.layers.filter((l) => l.getClassName() === 'Dropout').map((l) => [l.name, l.getConfig().rate])).toEqual([['model.10.drop', 0.3]]);
    model.dispose();
  }, 120_000);
});
