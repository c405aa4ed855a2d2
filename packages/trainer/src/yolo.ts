import type { TrainerCallback, TrainerEvent } from './train/callbacks.js';
import { train, type RunContext, type TrainResult } from './train/train.js';
import type { Trainer, TrainerCallbacks } from './train/trainer.js';
import { val, type ValResult } from './val/val.js';

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
    return train({ ...settings, model: this.model }, { ...this.context, callbacks: this.callbacks });
  }

  val(settings: Record<string, unknown> = {}): Promise<ValResult> {
    return val({ ...settings, model: this.model }, this.context);
  }
}
