import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A pretrained model this package ships: a folder written by `@yolo-ts/models`' saveModel. */
export interface PretrainedWeights {
  /** Architecture name in the model registry, e.g. `yolo26n-cls`. */
  architecture: string;
  /** Absolute path of the saved model folder (`model.json` + weights). */
  dir: string;
  /** Where the weights came from, as the training log says it. */
  source: string;
}

/**
 * What each architecture was pretrained on. Only MNIST's 60,000 training images were trained on: no test image
 * was ever seen in training, and the weights are the last epoch's, not picked by test accuracy. The run that made
 * them: `tools/pretrain.sh` (see this package's README for data, epochs, seed and accuracy).
 */
const SHIPPED: Record<string, string> = {
  'yolo26n-cls': 'MNIST training split only (60,000 images), 10 epochs from scratch, seed 0, last epoch; 99.49% MNIST test top-1',
};

/** The shipped pretrained weights for `architecture`, or undefined when there are none. */
export function pretrainedWeights(architecture: string): PretrainedWeights | undefined {
  const about = SHIPPED[architecture];
  if (!about) return undefined;
  const dir = fileURLToPath(new URL(`../${architecture}`, import.meta.url));
  if (!existsSync(dir)) return undefined;
  return { architecture, dir, source: `@yolo-ts/weights ${architecture} (${about})` };
}

/** Architectures with pretrained weights in this package. */
export function pretrainedArchitectures(): string[] {
  return Object.keys(SHIPPED).filter((a) => pretrainedWeights(a) !== undefined);
}
