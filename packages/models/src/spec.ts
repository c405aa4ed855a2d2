import type * as tf from '@tensorflow/tfjs';

/** What every model builder is given: the input geometry and the number of classes. */
export interface BuildOptions {
  /** Square input side in pixels (28 for the MNIST family; no rounding up to a stride multiple). */
  imgsz: number;
  /** 1 for grayscale, 3 for RGB. */
  channels: number;
  /** Number of classes (width of the logits). */
  nc: number;
  /** Seed of the weight initialisers, for reproducible runs. */
  seed?: number;
  /** Dropout rate before the classifier layer, active in training only (Ultralytics' `dropout`); default 0 = none. */
  dropout?: number;
}

/** A named classification network. Models take raw pixels in [0, 255] (NHWC) and return logits. */
export interface ModelSpec {
  name: string;
  description: string;
  build(options: BuildOptions): tf.LayersModel;
}
