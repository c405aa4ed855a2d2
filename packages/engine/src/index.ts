export { selectBackend, BackendError, BACKENDS, DEFAULT_CANDIDATES, type BackendName, type BackendCandidate, type BackendChoice } from './backend.js';
export { registerWasmTrainingKernels } from './wasm-kernels.js';
export { registerThreadedWasmBackend, defaultThreadCount } from './wasm-threads.js';
export { wasmThreadCount } from './thread-count.js';
export { batchNormAct, batchNormActInference, type BatchNormActivation, type BatchNormActResult, type MovingStatistics } from './ops/batch-norm-act.js';
export { Adam } from './ops/adam.js';
export { emaUpdate } from './ops/ema.js';
export { copyInto } from './ops/copy-into.js';
export { convBiasAct, type ConvActivation } from './ops/conv-bias-act.js';
