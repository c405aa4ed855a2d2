import type * as tf from '@tensorflow/tfjs';
import type { ModelMetadata } from './io.js';

/**
 * The `model.json` of a yolo-ts layers model (what `weights/best` holds): tfjs' layers format with the weights in
 * one file at `weightsPath` and yolo-ts' metadata under `userDefinedMetadata.yolots`. Written by saveModel in Node
 * and by pages that offer a trained model as a download.
 */
export function layersModelJson(artifacts: tf.io.ModelArtifacts, weightsPath: string, metadata: ModelMetadata) {
  return {
    format: 'layers-model',
    generatedBy: 'yolo-ts',
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [weightsPath], weights: artifacts.weightSpecs ?? [] }],
    userDefinedMetadata: { yolots: metadata },
  };
}
