/**
 * The events a training run fires, in Ultralytics' names and order (BaseTrainer): pretrain routine (data, model,
 * optimizer set up), train start, then per epoch: epoch start, a batch end per step, epoch end, fit epoch end
 * (after validation), model save; finally train end.
 */
export const TRAINER_EVENTS = [
  'on_pretrain_routine_start',
  'on_pretrain_routine_end',
  'on_train_start',
  'on_train_epoch_start',
  'on_train_batch_end',
  'on_train_epoch_end',
  'on_fit_epoch_end',
  'on_model_save',
  'on_train_end',
] as const;

export type TrainerEvent = (typeof TRAINER_EVENTS)[number];

/** A callback gets the trainer (its settings, epoch, metrics, results, `stop` flag); it may be async. */
export type TrainerCallback<T> = (trainer: T) => void | Promise<void>;

/** Callbacks by event, run in the order added. `on_train_batch_end` callbacks run synchronously (not awaited). */
export class Callbacks<T> {
  private readonly byEvent = new Map<TrainerEvent, TrainerCallback<T>[]>();

  add(event: TrainerEvent, callback: TrainerCallback<T>): this {
    if (!(TRAINER_EVENTS as readonly string[]).includes(event)) throw new TypeError(`unknown trainer event '${event}': one of ${TRAINER_EVENTS.join(', ')}`);
    this.byEvent.set(event, [...(this.byEvent.get(event) ?? []), callback]);
    return this;
  }

  async run(event: TrainerEvent, trainer: T): Promise<void> {
    for (const callback of this.byEvent.get(event) ?? []) await callback(trainer);
  }

  /** For events fired inside a step loop that cannot wait. */
  runSync(event: TrainerEvent, trainer: T): void {
    for (const callback of this.byEvent.get(event) ?? []) void callback(trainer);
  }
}
