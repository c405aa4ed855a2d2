import * as tf from '@tensorflow/tfjs';
import { BatchNormAct } from './batch-norm-act-layer.js';
import { AttentionHeads, ChannelSlice } from './custom-layers.js';

/**
 * Ultralytics' building blocks (nn/modules/conv.py, block.py, head.py) as tfjs-layers graphs, NHWC. Layer names
 * follow Ultralytics' module paths (`model.2.m.0.cv1.conv`), so weight names read like its state_dict keys.
 * Only the options the classification configs use are implemented: every Bottleneck is residual (C3k2 and C3k
 * build them c → c with shortcut=True) and groups are 1 or depthwise.
 */

type T = tf.SymbolicTensor;

/** Seeds the initialisers: each weight gets `seed + k` for the k-th initialiser drawn, so a seed fixes the model. */
export interface InitState {
  seed?: number;
  next: number;
}

const apply = (layer: tf.layers.Layer, x: T | T[]) => layer.apply(x) as T;
const channels = (x: T) => x.shape[3] as number;

/** PyTorch's default init of conv and linear weights (kaiming_uniform, a=√5) and biases: U(±1/√fan_in). */
function uniform(init: InitState, fanIn: number) {
  const bound = 1 / Math.sqrt(fanIn);
  return tf.initializers.randomUniform({ minval: -bound, maxval: bound, seed: init.seed === undefined ? undefined : init.seed + init.next++ });
}

const add = (xs: T[], name: string) => apply(tf.layers.add({ name }), xs);
const concat = (xs: T[], name: string) => apply(tf.layers.concatenate({ axis: -1, name }), xs);
const slice = (x: T, begin: number, size: number, name: string) => apply(new ChannelSlice({ begin, size, name }), x);

/**
 * Conv: Conv2d without bias, BatchNorm, SiLU (`act: false` leaves the activation out); BatchNorm and SiLU are one
 * fused BatchNormAct layer (engine's native kernels on wasm). Ultralytics pads k//2 on every side; tfjs' `same`
 * gives the same output size, but for a stride-2 conv on an even size it pads only bottom/right, so the sampling
 * grid sits one pixel further in (irrelevant when training from scratch). BatchNorm as Ultralytics'
 * initialize_weights sets it: eps 1e-3, momentum 0.03 (PyTorch) = 0.97 (Keras).
 */
export function conv(init: InitState, x: T, name: string, c2: number, k = 1, s = 1, opts: { depthwise?: boolean; act?: boolean } = {}): T {
  const c1 = channels(x);
  const layer = opts.depthwise
    ? tf.layers.depthwiseConv2d({ kernelSize: k, strides: s, padding: 'same', useBias: false, depthwiseInitializer: uniform(init, k * k), name: `${name}.conv` })
    : tf.layers.conv2d({ filters: c2, kernelSize: k, strides: s, padding: 'same', useBias: false, kernelInitializer: uniform(init, c1 * k * k), name: `${name}.conv` });
  const activation = opts.act === false ? 'linear' : 'silu';
  return apply(new BatchNormAct({ momentum: 0.97, epsilon: 1e-3, activation, name: `${name}.bn` }), apply(layer, x));
}

/** Bottleneck(c, c, k=(k, k), e): x + cv2(cv1(x)), hidden width c·e. */
function bottleneck(init: InitState, x: T, name: string, k: number, e: number): T {
  const c = channels(x);
  const h = conv(init, conv(init, x, `${name}.cv1`, Math.trunc(c * e), k), `${name}.cv2`, c, k);
  return add([x, h], `${name}.add`);
}

/** C3k(c1, c2, n): cv3(cat(m(cv1(x)), cv2(x))) with n Bottleneck(c2/2, c2/2, 3×3, e=1). */
function c3k(init: InitState, x: T, name: string, c2: number, n: number): T {
  const c = Math.trunc(c2 * 0.5);
  let a = conv(init, x, `${name}.cv1`, c);
  for (let i = 0; i < n; i++) a = bottleneck(init, a, `${name}.m.${i}`, 3, 1);
  const b = conv(init, x, `${name}.cv2`, c);
  return conv(init, concat([a, b], `${name}.cat`), `${name}.cv3`, c2);
}

/**
 * C3k2(c1, c2, n, c3k, e): C2f's topology. cv1 to 2c (c = c2·e), chunk in two, n inner blocks chained on the
 * second half (C3k(c, c, 2) when c3k, else Bottleneck(c, c, e=0.5)), concat of both halves and every block
 * output, cv2 to c2. Both halves concatenated in order are cv1's output itself, so only the second is sliced.
 */
export function c3k2(init: InitState, x: T, name: string, c2: number, n: number, useC3k: boolean, e: number): T {
  const c = Math.trunc(c2 * e);
  const y = conv(init, x, `${name}.cv1`, 2 * c);
  const parts = [y];
  let last = slice(y, c, c, `${name}.chunk1`);
  for (let i = 0; i < n; i++) {
    last = useC3k ? c3k(init, last, `${name}.m.${i}`, c, 2) : bottleneck(init, last, `${name}.m.${i}`, 3, 0.5);
    parts.push(last);
  }
  return conv(init, concat(parts, `${name}.cat`), `${name}.cv2`, c2);
}

/**
 * Attention(dim, heads, attn_ratio=0.5): qkv 1×1 Conv (no act) to dim + 2·heads·keyDim channels, multi-head
 * softmax attention, plus a depthwise 3×3 Conv `pe` on v, then a 1×1 Conv `proj` (no act).
 */
function attention(init: InitState, x: T, name: string, numHeads: number): T {
  const dim = channels(x);
  const headDim = Math.trunc(dim / numHeads);
  const keyDim = Math.trunc(headDim * 0.5);
  const qkv = conv(init, x, `${name}.qkv`, dim + 2 * keyDim * numHeads, 1, 1, { act: false });
  const [attended, v] = new AttentionHeads({ numHeads, keyDim, headDim, name: `${name}.heads` }).apply(qkv) as T[];
  const pe = conv(init, v!, `${name}.pe`, dim, 3, 1, { depthwise: true, act: false });
  return conv(init, add([attended!, pe], `${name}.add`), `${name}.proj`, dim, 1, 1, { act: false });
}

/** PSABlock(c, heads): x + attn(x), then x + ffn(x) with ffn = Conv 1×1 to 2c, Conv 1×1 back (no act). */
function psaBlock(init: InitState, x: T, name: string, numHeads: number): T {
  const c = channels(x);
  const h = add([x, attention(init, x, `${name}.attn`, numHeads)], `${name}.add1`);
  const ffn = conv(init, conv(init, h, `${name}.ffn.0`, 2 * c), `${name}.ffn.1`, c, 1, 1, { act: false });
  return add([h, ffn], `${name}.add2`);
}

/** C2PSA(c1, c1, n, e=0.5): cv1 to 2c, split, n PSABlock(c, heads = c/64) on the second half, concat, cv2. */
export function c2psa(init: InitState, x: T, name: string, c2: number, n: number): T {
  if (channels(x) !== c2) throw new Error(`${name}: C2PSA keeps its width (${channels(x)} in, ${c2} asked)`);
  const c = Math.trunc(c2 * 0.5);
  const y = conv(init, x, `${name}.cv1`, 2 * c);
  let b = slice(y, c, c, `${name}.split1`);
  for (let i = 0; i < n; i++) b = psaBlock(init, b, `${name}.m.${i}`, Math.trunc(c / 64));
  return conv(init, concat([slice(y, 0, c, `${name}.split0`), b], `${name}.cat`), `${name}.cv2`, c2);
}

/**
 * Classify(c1, nc): Conv 1×1 to 1280 (EfficientNet-B0's width), global average pool, Dropout (only when
 * `dropout` > 0: at 0 it is a no-op and left out), Linear to nc logits. Its eval-mode softmax is left to the
 * caller (models return logits).
 */
export function classify(init: InitState, x: T, name: string, nc: number, dropout = 0): T {
  const h = withDropout(apply(tf.layers.globalAveragePooling2d({ name: `${name}.pool` }), conv(init, x, `${name}.conv`, 1280)), dropout, `${name}.drop`);
  return apply(tf.layers.dense({ units: nc, kernelInitializer: uniform(init, 1280), biasInitializer: uniform(init, 1280), name: `${name}.linear` }), h);
}

/**
 * `x` through a Dropout layer of `rate`, or `x` itself at rate 0. Unseeded: tfjs' seeded dropout draws the same mask
 * at every step, so runs with dropout are not bit-for-bit repeatable.
 */
export function withDropout(x: T, rate: number, name: string): T {
  return rate > 0 ? apply(tf.layers.dropout({ rate, name }), x) : x;
}
