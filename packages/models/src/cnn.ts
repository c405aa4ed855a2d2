import * as tf from '@tensorflow/tfjs';
import { BatchNormAct } from './batch-norm-act-layer.js';
import { withDropout } from './blocks.js';
import { pixelInput } from './input.js';
import type { ModelSpec } from './spec.js';

const init = (seed: number | undefined, i: number) => (seed === undefined ? undefined : tf.initializers.glorotUniform({ seed: seed + i }));

/** `cnn-small` (421,642 params at 28×28×1, 10 classes): the speed bar's plain conv net, as in the PyTorch anchor. */
export const cnnSmall: ModelSpec = {
  name: 'cnn-small',
  description: 'Conv32-Pool-Conv64-Pool-Dense128-Dense(nc), ReLU; the reference net of the speed benchmark',
  build(o) {
    const { x, scaled } = pixelInput(o);
    let h = tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(o.seed, 0), name: 'conv1' }).apply(scaled) as tf.SymbolicTensor;
    h = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(o.seed, 1), name: 'conv2' }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.flatten({ name: 'flatten' }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init(o.seed, 2), name: 'fc1' }).apply(h) as tf.SymbolicTensor;
    h = withDropout(h, o.dropout ?? 0, 'drop');
    const logits = tf.layers.dense({ units: o.nc, kernelInitializer: init(o.seed, 3), name: 'logits' }).apply(h) as tf.SymbolicTensor;
    return tf.model({ inputs: x, outputs: logits, name: 'cnn-small' });
  },
};

/** Conv (no bias) + BatchNorm + SiLU (one fused layer), Ultralytics' basic block. PyTorch's BN momentum 0.1 is Keras' 0.9. */
function convBnSilu(h: tf.SymbolicTensor, filters: number, strides: number, name: string, seed: number | undefined, i: number) {
  h = tf.layers.conv2d({ filters, kernelSize: 3, strides, padding: 'same', useBias: false, kernelInitializer: init(seed, i), name: `${name}.conv` }).apply(h) as tf.SymbolicTensor;
  return new BatchNormAct({ momentum: 0.9, epsilon: 1e-5, activation: 'silu', name: `${name}.bn` }).apply(h) as tf.SymbolicTensor;
}

/** `cnn-bn` (~94k params): three Conv-BN-SiLU blocks (strides 1, 2, 2), global average pool, Dense(nc). */
export const cnnBn: ModelSpec = {
  name: 'cnn-bn',
  description: 'Conv-BN-SiLU ×3 (32, 64 s2, 128 s2), global average pool, Dense(nc); the BatchNorm reference net',
  build(o) {
    const { x, scaled } = pixelInput(o);
    let h = convBnSilu(scaled, 32, 1, 'b1', o.seed, 0);
    h = convBnSilu(h, 64, 2, 'b2', o.seed, 1);
    h = convBnSilu(h, 128, 2, 'b3', o.seed, 2);
    h = withDropout(tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(h) as tf.SymbolicTensor, o.dropout ?? 0, 'drop');
    const logits = tf.layers.dense({ units: o.nc, kernelInitializer: init(o.seed, 3), name: 'logits' }).apply(h) as tf.SymbolicTensor;
    return tf.model({ inputs: x, outputs: logits, name: 'cnn-bn' });
  },
};
