import type { DatasetRegistry } from '@yolo-ts/core-data';
import type { ModelRegistry } from '@yolo-ts/models';
import type { RunConfig } from '../config/defaults.js';
import type { EpochResult } from '../run/results.js';
import { Trainer, type TrainerCallbacks } from './trainer.js';

/** What train() and val() can be given besides the settings: registries and where lines go. */
export interface RunContext {
  datasets?: DatasetRegistry;
  models?: ModelRegistry;
  /** Receives every line meant for the user; default console.log. */
  log?: (line: string) => void;
}

export interface TrainResult {
  config: RunConfig;
  saveDir: string;
  backend: string;
  results: EpochResult[];
  bestEpoch: number;
  weights: { last: string; best: string };
}

/**
 * Trains a classifier: `yolo-ts classify train key=value ...` and `new YOLO(model).train({...})` both land here.
 * `callbacks` run on the trainer's events (see Trainer).
 */
export function train(settings: Record<string, unknown>, context: RunContext & { callbacks?: TrainerCallbacks } = {}): Promise<TrainResult> {
  return new Trainer(settings, context, context.callbacks).run();
}
