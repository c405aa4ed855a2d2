export type { BuildOptions, ModelSpec } from './spec.js';
export { cnnSmall, cnnBn } from './cnn.js';
export { ModelRegistry, ModelNotFoundError, defaultModelRegistry } from './registry.js';
export { summarize, formatSummary, type ModelSummary, type LayerRow } from './summary.js';
export { saveModel, loadModel, ModelFormatError, type ModelMetadata } from './io.js';
