/**
 * `@yolo-ts/models` in a browser (the `browser` condition of its exports): every builder, layer and tool but the
 * file-system save/load of io.ts (a page saves with tfjs' own IO handlers).
 */
export type { BuildOptions, ModelSpec } from './spec.js';
export { cnnSmall, cnnBn } from './cnn.js';
export { YOLO26_CLS, yolo26ClsSpecs } from './yolo26-cls.js';
export { buildFromConfig, type ModelConfig, type LayerDef, type Scale } from './parse-model.js';
export { AttentionHeads, ChannelSlice } from './custom-layers.js';
export { ModelRegistry, ModelNotFoundError, defaultModelRegistry } from './registry.js';
export { summarize, formatSummary, type ModelSummary, type LayerRow } from './summary.js';
export { withFusedConvBn } from './fuse.js';
export { BatchNormAct } from './batch-norm-act-layer.js';
export { recomputeBatchNorm } from './batch-norm-recompute.js';
export { transferWeights, type TransferReport } from './transfer.js';
export type { ModelMetadata } from './io.js';
export { layersModelJson } from './model-json.js';
