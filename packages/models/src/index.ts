export * from './browser.js';
export { saveModel, loadModel, readManifestWeights, ModelFormatError } from './io.js';
