/**
 * `@yolo-ts/trainer` in a browser (the `browser` condition of its exports): training on in-memory data, its
 * batches, metrics and losses, MNIST-style preprocessing of drawings, and export's lowering and tfjs writer (a
 * page can export what it trained). Runs, files, datasets on disk, plots and the CLI's modes are Node's.
 */
export { trainInMemory, type InMemoryTrainOptions, type InMemoryStep } from './train/in-memory.js';
export { trainStep, trainableVariables } from './train/train-step.js';
export { seededRandom, shuffledIndices, epochOrder, imageRandom, gatherBatch, type BatchOptions } from './data/batches.js';
export type { Augmentation } from './data/augment.js';
export { evaluate, classificationLoss, type ClassifyMetrics } from './val/metrics.js';
export { mnistPreprocess } from './predict/mnist-preprocess.js';
export { lowerModel, ExportError } from './export/lower.js';
export { writeTfjsGraph, type TfjsGraphArtifacts } from './export/tfjs-graph.js';
export type { InferenceGraph, GraphNode, GraphOp, ValueInfo, Weight, Activation } from './export/graph.js';
export type { Precision } from './export/quantize.js';
