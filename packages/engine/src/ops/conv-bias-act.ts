import * as tf from '@tensorflow/tfjs';
import { BN_ACT } from '../kernels/batch-norm-act.js';

export type ConvActivation = 'linear' | 'relu' | 'silu';

/**
 * Inference convolution (NHWC, undilated) with its bias and activation fused: a Conv → BatchNorm → act block
 * after the BatchNorm is folded into the filter and bias. On wasm with yolo-ts's kernels it is one native pass
 * (FusedConv2D there also knows SiLU, which tfjs' own kernels do not); elsewhere tf.fused.conv2d, then x·σ(x).
 */
export function convBiasAct(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, strides: number | [number, number], pad: 'same' | 'valid', activation: ConvActivation): tf.Tensor4D {
  if (tf.getBackend() === 'wasm' && tf.getKernel(BN_ACT, 'wasm')) {
    const attrs = { strides, pad, dataFormat: 'NHWC', dilations: [1, 1], activation };
    return tf.engine().runKernel('FusedConv2D', { x, filter, bias }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  }
  return tf.tidy(() => {
    const y = tf.fused.conv2d({ x, filter, bias, strides, pad, activation: activation === 'silu' ? 'linear' : activation });
    return activation === 'silu' ? tf.mul(y, tf.sigmoid(y)) : y;
  });
}
