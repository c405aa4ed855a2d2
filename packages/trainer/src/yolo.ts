import { fileSystemError } from '@yolo-ts/core-data';
import type { TrainerCallback, TrainerEvent } from './train/callbacks.js';
import { train, type RunContext, type TrainResult } from './train/train.js';
import type { Trainer, TrainerCallbacks } from './train/trainer.js';
import { predict, predictStream } from './predict/predictor.js';
import type { Results } from './predict/results.js';
import { val, type ValResult } from './val/val.js';
import { exportModel, type ExportResult } from './export/exporter.js';

/** `work`, with an OS error (EACCES, ENOSPC, ...) said as a FileSystemError with its code, as the CLI says it. */
const said = <T>(work: Promise<T>): Promise<T> =>
  work.catch((error: unknown) => {
    throw fileSystemError(error);
  });

/**
 * The library face of yolo-ts, as Ultralytics' `YOLO` class: `new YOLO('cnn-small').train({ data: 'mnist', epochs: 3 })`
 * runs exactly what `yolo-ts classify train model=cnn-small data=mnist epochs=3` runs.
 */
export class YOLO {
  private readonly callbacks: TrainerCallbacks = {};

  constructor(
    readonly model: string,
    private readonly context: RunContext = {},
  ) {}

  /** Runs `callback` on a trainer event of every later `train()` (Ultralytics' `model.add_callback`). */
  addCallback(event: TrainerEvent, callback: TrainerCallback<Trainer>): this {
    this.callbacks[event] = [...[this.callbacks[event] ?? []].flat(), callback];
    return this;
  }

  train(settings: Record<string, unknown> = {}): Promise<TrainResult> {
    return said(train({ ...settings, model: this.model }, { ...this.context, callbacks: this.callbacks }));
  }

  /**
   * Ultralytics' `model.predict(source)`: one Results per image of `source` (a file, folder, glob, .txt list or
   * dataset split). With `{ stream: true }` an async iterator that predicts batch by batch as it is read.
   * Nothing is written unless `save` / `save_txt` is set.
   */
  predict(source: string, options: Record<string, unknown> & { stream: true }): AsyncGenerator<Results>;
  predict(source: string, options?: Record<string, unknown> & { stream?: false }): Promise<Results[]>;
  predict(source: string, { stream, ...options }: Record<string, unknown> & { stream?: boolean } = {}): Promise<Results[]> | AsyncGenerator<Results> {
    const settings = { save: false, verbose: false, ...options, source, model: this.model };
    return stream ? predictStream(settings, this.context) : said(predict(settings, this.context));
  }

  val(settings: Record<string, unknown> = {}): Promise<ValResult> {
    return said(val({ ...settings, model: this.model }, this.context));
  }

  /** Ultralytics' `model.export(format=...)`: `{ format: 'onnx', dynamic: true }` writes `best.onnx` next to the weights. */
  export(settings: Record<string, unknown> = {}): Promise<ExportResult> {
    return said(exportModel({ ...settings, model: this.model }, this.context));
  }
}
