import { train, type RunContext, type TrainResult } from './train/train.js';
import { val, type ValResult } from './val/val.js';

/**
 * The library face of yolo-ts, as Ultralytics' `YOLO` class: `new YOLO('cnn-small').train({ data: 'mnist', epochs: 3 })`
 * runs exactly what `yolo-ts classify train model=cnn-small data=mnist epochs=3` runs.
 */
export class YOLO {
  constructor(
    readonly model: string,
    private readonly context: RunContext = {},
  ) {}

  train(settings: Record<string, unknown> = {}): Promise<TrainResult> {
    return train({ ...settings, model: this.model }, this.context);
  }

  val(settings: Record<string, unknown> = {}): Promise<ValResult> {
    return val({ ...settings, model: this.model }, this.context);
  }
}
