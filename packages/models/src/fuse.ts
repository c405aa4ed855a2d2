import * as tf from '@tensorflow/tfjs';
import { convBiasAct } from '@yolo-ts/engine';
import { BatchNormAct } from './batch-norm-act-layer.js';

interface Pair {
  conv: tf.layers.Layer;
  bn: BatchNormAct;
}

/** Conv2D layers (no bias, linear, undilated, channels-last) whose output feeds one BatchNormAct and nothing else. */
function foldablePairs(model: tf.LayersModel): Pair[] {
  const pairs: Pair[] = [];
  for (const bn of model.layers) {
    if (!(bn instanceof BatchNormAct) || bn.inboundNodes.length !== 1) continue;
    const conv = bn.inboundNodes[0]!.inboundLayers[0];
    if (!conv || conv.getClassName() !== 'Conv2D' || conv.outboundNodes.length !== 1 || conv.inboundNodes.length !== 1) continue;
    const c = conv.getConfig();
    const dilation = [c.dilationRate].flat() as number[];
    if (c.useBias || c.activation !== 'linear' || c.dataFormat !== 'channelsLast' || dilation.some((d) => d !== 1)) continue;
    pairs.push({ conv, bn });
  }
  return pairs;
}

/**
 * Runs `fn` (inference: predict, evaluate) with every Conv → BatchNormAct pair fused, as Ultralytics' fuse() does
 * before validation: the convolution runs with the BatchNorm folded into its filter and bias and the activation
 * in the same pass (one native kernel on wasm instead of a conv and a BatchNorm+SiLU pass over its output), and
 * the BatchNormAct passes its input through. Folded from the current weights (e.g. the EMA's) on each call; the
 * layers are restored when `fn` returns or throws (so `fn` must do its work synchronously). Not for training: the
 * BatchNorm statistics do not move.
 */
export function withFusedConvBn<T>(model: tf.LayersModel, fn: () => T): T {
  const pairs = foldablePairs(model);
  const restore: (() => void)[] = [];
  const folded: tf.Tensor[] = [];
  try {
    for (const { conv, bn } of pairs) {
      const { filter, bias } = bn.fold(conv.getWeights()[0] as tf.Tensor4D);
      folded.push(filter, bias);
      const { strides, padding } = conv.getConfig() as { strides: [number, number]; padding: 'same' | 'valid' };
      const [convCall, bnCall] = [conv.call, bn.call];
      conv.call = (inputs) => convBiasAct((Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D, filter, bias, strides, padding, bn.activation);
      bn.call = (inputs) => tf.clone(Array.isArray(inputs) ? inputs[0]! : inputs);
      restore.push(() => {
        conv.call = convCall;
        bn.call = bnCall;
      });
    }
    return fn();
  } finally {
    for (const undo of restore) undo();
    tf.dispose(folded);
  }
}
