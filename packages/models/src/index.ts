export * from './browser.js';
export { saveModel, loadModel, ModelFormatError } from './io.js';
