/**
 * `@yolo-ts/trainer/internals`: the pieces of a training step that `pnpm bench` times and tests drive directly.
 * Not the public API (that is `@yolo-ts/trainer`); these may change with the engine.
 */
export { trainStep, trainableVariables } from './train/train-step.js';
export { createRunner, replicaCount, stepWork, type StepWork } from './replicas/replicas.js';
export { HALVES_MIN_BATCH, type EpochRunner, type EpochStart, type EpochTotals, type RunnerState, type StepListener, type TrainPlan } from './train/epoch-runner.js';
export { chooseOptimizer, parameterGroup, scheduleFactor, stepSchedule, warmupSteps, type StepSchedule } from './train/optimizer.js';
