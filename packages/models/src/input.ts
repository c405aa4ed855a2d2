import * as tf from '@tensorflow/tfjs';
import type { BuildOptions } from './spec.js';

/**
 * The `images` input (raw 0–255 NHWC pixels) and its scaling to [0, 1]. Scaling inside the model means saved and
 * exported models take raw images, in Node and browsers; [0, 1] is also what Ultralytics feeds (mean 0, std 1).
 */
export function pixelInput(o: BuildOptions): { x: tf.SymbolicTensor; scaled: tf.SymbolicTensor } {
  const x = tf.input({ shape: [o.imgsz, o.imgsz, o.channels], name: 'images' });
  return { x, scaled: tf.layers.rescaling({ scale: 1 / 255, name: 'rescale' }).apply(x) as tf.SymbolicTensor };
}
