export type { BuildOptions, ModelSpec } from './spec.js';
export { cnnSmall, cnnBn } from './cnn.js';
export { YOLO26_CLS, yolo26ClsSpecs } from './yolo26-cls.js';
export { buildFromConfig, type ModelConfig, type LayerDef, type Scale } from './parse-model.js';
export { AttentionHeads, ChannelSlice } from './custom-layers.js';
export { ModelRegistry, ModelNotFoundError, defaultModelRegistry } from './registry.js';
export { summarize, formatSummary, type ModelSummary, type LayerRow } from './summary.js';
export { saveModel, loadModel, ModelFormatError, type ModelMetadata } from './io.js';
