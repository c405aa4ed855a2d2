import { dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { YoloTsError, selectIndices, type ImageSplit, type LoadedDataset } from '@yolo-ts/core-data';
import { selectBackend } from '@yolo-ts/engine';
import { defaultModelRegistry, formatSummary, loadModel, summarize, type ModelMetadata } from '@yolo-ts/models';
import { stringify } from 'yaml';
import { ConfigError, resolveConfig } from '../config/config.js';
import { defaultProject } from '../config/user-settings.js';
import { SETTINGS, type RunConfig } from '../config/defaults.js';
import { epochOrder, seededRandom, shuffledIndices } from '../data/batches.js';
import { cacheMode, datasetRegistry, resolveData } from '../data/datasets.js';
import { plotConfusion, plotResults, plotTrainBatch } from '../plots/run-plots.js';
import { createRunner } from '../replicas/replicas.js';
import { removeDeadTemporaries, writeFileAtomic } from '@yolo-ts/core-data';
import { writeResultsCsv, type EpochResult } from '../run/results.js';
import { createRunDir } from '../run/run-dir.js';
import { evaluate, g3, type ClassifyMetrics } from '../val/metrics.js';
import { refreshBatchNormStatistics } from './batch-norm-statistics.js';
import { Callbacks, type TrainerCallback, type TrainerEvent } from './callbacks.js';
import { findCheckpoint, loadCheckpoint, markFinished, saveCheckpoint, saveWeights, type TrainProgress } from './checkpoint.js';
import { EarlyStopping } from './early-stopping.js';
import { setBatchesTracked, type EpochRunner, type EpochStart, type RunnerState } from './epoch-runner.js';
import { obtainModel } from './model-source.js';
import { EpochProgress } from './progress.js';
import type { RunContext, TrainResult } from './train.js';

/** A run stopped by SIGINT or SIGTERM after saving where it was: `resume=` continues it. */
export class TrainingInterrupted extends YoloTsError {
  static override readonly code: string = 'E_INTERRUPTED';
  static override readonly kind = 'runtime' as const;
  constructor(
    message: string,
    readonly signal: NodeJS.Signals,
  ) {
    super(message);
  }
}

/** Ultralytics' classify fitness: the mean of top-1 and top-5 accuracy. */
export const fitness = (r: EpochResult) => (r['metrics/accuracy_top1'] + r['metrics/accuracy_top5']) / 2;

/** Callbacks given to `train()` or `YOLO.addCallback`, by event. */
export type TrainerCallbacks = Partial<Record<TrainerEvent, TrainerCallback<Trainer> | TrainerCallback<Trainer>[]>>;

/**
 * One training run, as Ultralytics' BaseTrainer: set up data, model and optimizer, then per epoch train, validate
 * the EMA weights, log, checkpoint and check the stop conditions, firing the events of `callbacks.ts` on the way.
 * Logging, the CSV, checkpoints and plots are callbacks registered first; user callbacks run after them and see
 * the same state (`cfg`, `epoch`, `results`, `metrics`, ...); setting `stop` ends the run after the epoch.
 */
export class Trainer {
  readonly callbacks = new Callbacks<Trainer>();
  readonly log: (line: string) => void;
  cfg!: RunConfig;
  saveDir = '';
  weights = { last: '', best: '' };
  backend = '';
  data!: LoadedDataset;
  /** The images trained on (all of the training split, or `fraction` of it). */
  train!: ImageSplit;
  model!: tf.LayersModel;
  /** The epoch being trained (from 0). */
  epoch = 0;
  /** During on_train_batch_end: the step in the epoch (from 1), images seen and their mean loss. */
  batch = { index: 0, images: 0, loss: NaN };
  results: EpochResult[] = [];
  /** The last validation. */
  metrics?: ClassifyMetrics;
  bestEpoch = 0;
  stop = false;
  private runner?: EpochRunner;
  private resumed?: { dir: string; progress: TrainProgress; state: RunnerState };
  private stopper!: EarlyStopping;
  private metadata!: ModelMetadata;
  private elapsedBefore = 0;
  private signal?: NodeJS.Signals;

  /** Epochs planned: `epochs`, or as `time` re-plans them. */
  get epochs(): number {
    return this.cfg.epochs;
  }

  constructor(
    private readonly settings: Record<string, unknown>,
    private readonly context: RunContext = {},
    callbacks: TrainerCallbacks = {},
  ) {
    this.log = context.log ?? console.log;
    this.callbacks.add('on_fit_epoch_end', () => this.logEpoch());
    for (const [event, fns] of Object.entries(callbacks)) for (const fn of [fns].flat()) this.callbacks.add(event as TrainerEvent, fn);
  }

  async run(): Promise<TrainResult> {
    await this.callbacks.run('on_pretrain_routine_start', this);
    try {
      await this.setup();
    } catch (error) {
      this.model?.dispose();
      throw error;
    }
    await this.callbacks.run('on_pretrain_routine_end', this);
    const onSignal = (signal: NodeJS.Signals) => {
      this.signal = signal;
      this.log(`${signal}: stopping after this step and saving weights/last...`);
    };
    process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
    try {
      await this.loop();
    } finally {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      await this.runner?.dispose();
      this.model.dispose();
    }
    return { config: this.cfg, saveDir: this.saveDir, backend: this.backend, results: this.results, bestEpoch: this.bestEpoch, weights: this.weights };
  }

  /** Data, model, run folder and runner, fresh or from the checkpoint `resume=` names. */
  private async setup(): Promise<void> {
    const log = this.log;
    const resume = String(this.settings.resume ?? SETTINGS.resume.default);
    let cfg: RunConfig;
    if (!/^false$/i.test(resume)) {
      const project = String(this.settings.project ?? defaultProject('classify'));
      const dir = await findCheckpoint(resume, project);
      const { progress, state } = await loadCheckpoint(dir);
      if (progress.finished) throw new ConfigError(`${dir} training to ${progress.args.epochs} epochs is finished, nothing to resume. Start a new training without resuming, i.e. 'yolo-ts classify train model=${dir}'`);
      this.resumed = { dir, progress, state };
      await removeDeadTemporaries(dirname(dir)); // what a killed run was writing in weights/
      cfg = { ...progress.args, resume: dir };
      log(`Resuming training from ${dir} at epoch ${progress.epoch + 1}/${progress.args.epochs}${progress.start.step ? `, step ${progress.start.step + 1}` : ''}`);
    } else cfg = undefined as unknown as RunConfig;

    const data = String((cfg ?? this.settings).data ?? SETTINGS.data.default);
    const source = await resolveData(data, this.context.datasets ?? (await datasetRegistry(log, { data })));
    this.cfg = cfg ??= resolveConfig({ ...this.settings, mode: 'train' }, source.defaults, log);
    const backend = await selectBackend(cfg.device);
    this.backend = backend.name;
    log(backend.summary);
    this.data = await source.load({ cache: cacheMode(cfg.cache), log });
    if (!(this.data.val ?? this.data.test)) throw new ConfigError(`dataset '${this.data.name}' has no val or test split to validate on`);
    this.train = this.trainingImages();
    const nc = this.data.classes.length;

    if (this.resumed) {
      const { dir, progress, state } = this.resumed;
      const loaded = await loadModel(dir);
      this.model = loaded.model;
      const live = state.live.map((v, i) => tf.tensor(v, this.model.weights[i]!.shape as number[]));
      this.model.setWeights(live);
      tf.dispose(live);
      setBatchesTracked(this.model, state.steps);
      this.metadata = loaded.metadata;
      this.saveDir = dirname(dirname(dir));
      this.results = [...progress.results];
      this.bestEpoch = progress.bestEpoch;
      this.elapsedBefore = progress.elapsed;
      this.epoch = progress.epoch;
    } else {
      const { model, architecture, metadata: from } = await obtainModel(
        { model: cfg.model, pretrained: cfg.pretrained, imgsz: cfg.imgsz, channels: this.train.channels, nc, seed: cfg.seed, dropout: cfg.dropout },
        this.context.models ?? defaultModelRegistry(),
        log,
      );
      this.model = model;
      const outWidth = (model.outputs[0]!.shape as number[])[1];
      if (outWidth !== nc) throw new ConfigError(`model '${cfg.model}' outputs ${outWidth} classes but dataset '${this.data.name}' has ${nc}`);
      this.metadata = { ...from, architecture, names: this.data.classes, imgsz: cfg.imgsz, channels: this.train.channels, input: 'uint8-range NHWC', output: 'logits', dataset: this.data.name };
      this.saveDir = await createRunDir(cfg.project ?? defaultProject(cfg.task), cfg.name ?? 'train', cfg.exist_ok);
      await writeFileAtomic(join(this.saveDir, 'args.yaml'), stringify({ ...cfg, save_dir: resolve(this.saveDir) }));
    }
    if (cfg.verbose) log(formatSummary(summarize(this.model)));
    this.weights = { last: join(this.saveDir, 'weights', 'last'), best: join(this.saveDir, 'weights', 'best') };
    const best = this.results[this.bestEpoch - 1];
    this.stopper = new EarlyStopping(cfg.patience, best ? fitness(best) : 0, this.bestEpoch);
    this.runner = await createRunner(this.model, this.train, { cfg, nc, images: this.train.count }, backend.name, this.resumed?.state);
  }

  /** The training split, or its `fraction` (the first images of a fixed shuffle, so every class keeps its share). */
  private trainingImages(): ImageSplit {
    const { train } = this.data;
    if (this.cfg.fraction >= 1) return train;
    const n = Math.max(1, Math.round(train.count * this.cfg.fraction));
    return selectIndices(train, shuffledIndices(train.count, seededRandom(this.cfg.seed + 3)).subarray(0, n));
  }

  private async loop(): Promise<void> {
    const { cfg, log } = this;
    const val = (this.data.val ?? this.data.test)!;
    const runner = this.runner!;
    const started = Date.now();
    const elapsed = () => this.elapsedBefore + (Date.now() - started) / 1000;
    log(`optimizer: ${runner.description}`);
    log(`Training on ${this.train.count} ${this.data.name} images, validating on ${val.count}, at imgsz=${cfg.imgsz}, batch=${cfg.batch}`);
    log(`Logging results to ${resolve(this.saveDir)}`);
    if (this.results.length) await writeResultsCsv(join(this.saveDir, 'results.csv'), this.results);
    await this.callbacks.run('on_train_start', this);
    if (cfg.plots && this.epoch === 0 && !this.resumed?.progress.start.step) await plotTrainBatch(this.saveDir, this.train, cfg, this.data.classes);
    log(`${'Epoch'.padStart(11)}${'loss'.padStart(11)}${'Instances'.padStart(11)}${'Size'.padStart(11)}${'top1_acc'.padStart(11)}${'top5_acc'.padStart(11)}${'val_loss'.padStart(11)}`);

    let start = this.resumed?.progress.start ?? { step: 0, lossSum: 0 };
    const firstEpoch = this.epoch;
    for (; this.epoch < this.epochs && !this.stop; this.epoch++) {
      const epoch = this.epoch;
      await this.callbacks.run('on_train_epoch_start', this);
      const order = epochOrder(this.train.count, cfg.seed, epoch);
      const steps = Math.ceil(order.length / cfg.batch);
      const progress = new EpochProgress(`${epoch + 1}/${this.epochs}`, steps);
      const totals = await runner.runEpoch(
        epoch,
        order,
        (index, images, lossSum) => {
          this.batch = { index, images, loss: lossSum / images };
          progress.update(index, images, lossSum / images);
          this.callbacks.runSync('on_train_batch_end', this);
        },
        start,
        () => this.signal !== undefined,
      );
      progress.done();
      start = { step: 0, lossSum: 0 };
      if (totals.steps < steps) return this.interrupted(epoch, totals.steps, steps, totals.lossSum, elapsed());
      await this.callbacks.run('on_train_epoch_end', this);

      const final = epoch + 1 === this.epochs;
      // Taken before the EMA weights replace the live ones in the model.
      const state = await runner.state();
      // Validated and saved: the EMA weights, fetched once per epoch, with BatchNorm statistics of their own.
      await runner.withAverage(async () => {
        refreshBatchNormStatistics(this.model, this.train, cfg.imgsz, cfg.seed);
        this.metrics = cfg.val || final ? evaluate(this.model, val, cfg.imgsz) : undefined;
        const m = this.metrics;
        this.results.push({
          epoch: epoch + 1,
          time: Number(elapsed().toFixed(3)),
          'train/loss': totals.lossSum / order.length,
          'metrics/accuracy_top1': m?.top1 ?? NaN,
          'metrics/accuracy_top5': m?.top5 ?? NaN,
          'val/loss': m?.loss ?? NaN,
          'lr/pg0': totals.rates[0],
          'lr/pg1': totals.rates[1],
          'lr/pg2': totals.rates[2],
        });
        await writeResultsCsv(join(this.saveDir, 'results.csv'), this.results);
        const stopEarly = this.stopper.update(epoch + 1, fitness(this.results.at(-1)!));
        if (this.stopper.bestEpoch === epoch + 1) this.bestEpoch = epoch + 1;
        if (stopEarly) {
          this.stop = true;
          if (!final) log(this.stopper.message());
        }
        this.planTime(elapsed(), epoch + 1 - firstEpoch);
        if (cfg.save || final || this.stop) await this.save(epoch, elapsed(), state);
      });
      await this.callbacks.run('on_fit_epoch_end', this);
    }
    await markFinished(this.weights.last);
    log(`${this.results.length - (this.resumed?.progress.results.length ?? 0)} epochs completed in ${((Date.now() - started) / 3.6e6).toFixed(3)} hours.`);
    await this.finalValidation(val);
    await this.callbacks.run('on_train_end', this);
  }

  /** With `time=`, Ultralytics re-plans the epochs from their mean duration and stops when the time is up. */
  private planTime(elapsed: number, epochsRun: number): void {
    if (this.cfg.time === null) return;
    const budget = this.cfg.time * 3600;
    this.cfg.epochs = Math.max(this.epoch + 1, Math.ceil(budget / ((elapsed - this.elapsedBefore) / epochsRun + 1e-9)));
    if (elapsed > budget || this.epoch + 1 >= this.epochs) this.stop = true;
  }

  /** What weights/last records: the run continues at `epoch` (from 0), from `start` in it. */
  private progress(epoch: number, start: EpochStart, elapsed: number): TrainProgress {
    return { epoch, start, bestEpoch: this.bestEpoch, elapsed, finished: false, results: this.results, args: this.cfg };
  }

  /** weights/last (resumable), weights/best when this epoch is the best, weights/epochE with save_period. */
  private async save(epoch: number, elapsed: number, state: RunnerState): Promise<void> {
    const metadata = { ...this.metadata, epoch: epoch + 1 };
    await saveCheckpoint(this.model, this.weights.last, metadata, this.progress(epoch + 1, { step: 0, lossSum: 0 }, elapsed), state);
    if (this.bestEpoch === epoch + 1) await saveWeights(this.model, this.weights.best, metadata);
    if (this.cfg.save_period > 0 && epoch % this.cfg.save_period === 0) await saveWeights(this.model, join(this.saveDir, 'weights', `epoch${epoch}`), metadata);
    await this.callbacks.run('on_model_save', this);
  }

  /** Saves the interrupted epoch's state in weights/last and stops the run with TrainingInterrupted. */
  private async interrupted(epoch: number, step: number, steps: number, lossSum: number, elapsed: number): Promise<never> {
    const state = await this.runner!.state();
    await this.runner!.withAverage(() => saveCheckpoint(this.model, this.weights.last, { ...this.metadata, epoch }, this.progress(epoch, { step, lossSum }, elapsed), state));
    throw new TrainingInterrupted(`${this.signal}: training stopped at epoch ${epoch + 1}/${this.epochs}, step ${step}/${steps}; saved ${this.weights.last}. Continue with 'yolo-ts classify train resume=${this.weights.last}'`, this.signal!);
  }

  /** Ultralytics validates best.pt at the end; its confusion matrices and results.png are the run's plots. */
  private async finalValidation(val: ImageSplit): Promise<void> {
    if (!this.cfg.plots) return;
    await plotResults(this.saveDir, this.results);
    const best = this.bestEpoch ? this.weights.best : this.weights.last;
    this.log(`Validating ${resolve(best)}...`);
    const { model } = await loadModel(best);
    try {
      const metrics = evaluate(model, val, this.cfg.imgsz);
      await plotConfusion(this.saveDir, metrics.confusion, this.data.classes);
      this.log(`${'all'.padStart(22)}${g3(metrics.top1).padStart(11)}${g3(metrics.top5).padStart(11)}`);
    } finally {
      model.dispose();
    }
    this.log(`Results saved to ${resolve(this.saveDir)}`);
  }

  /** The per-epoch console line (a built-in on_fit_epoch_end callback). */
  private logEpoch(): void {
    if (!this.cfg.verbose) return;
    const r = this.results.at(-1)!;
    const f = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(4)).padStart(11);
    this.log(`${`${r.epoch}/${this.epochs}`.padStart(11)}${f(r['train/loss'])}${String(this.train.count).padStart(11)}${String(this.cfg.imgsz).padStart(11)}${f(r['metrics/accuracy_top1'])}${f(r['metrics/accuracy_top5'])}${f(r['val/loss'])}`);
  }
}
