import * as tf from '@tensorflow/tfjs';

type LayerArgs = ConstructorParameters<typeof tf.layers.Layer>[0];
type Shape = (number | null)[];

const single = (inputs: tf.Tensor | tf.Tensor[]) => (Array.isArray(inputs) ? inputs[0]! : inputs);
const singleShape = (shape: Shape | Shape[]) => (Array.isArray(shape[0]) ? (shape[0] as Shape) : (shape as Shape));

/**
 * Channels [begin, begin + size) of an NHWC tensor: the `split`/`chunk` of C3k2 and C2PSA, which tfjs-layers
 * has no built-in layer for (and no Lambda layer, which would not survive save/load anyway).
 */
export class ChannelSlice extends tf.layers.Layer {
  static readonly className = 'YoloTsChannelSlice';
  readonly begin: number;
  readonly size: number;

  constructor(args: LayerArgs & { begin: number; size: number }) {
    super(args);
    this.begin = args.begin;
    this.size = args.size;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...singleShape(inputShape).slice(0, -1), this.size];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = single(inputs);
    return tf.slice(x, [0, 0, 0, this.begin], [-1, -1, -1, this.size]);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), begin: this.begin, size: this.size };
  }
}

/**
 * The weight-free core of Ultralytics' `Attention`: the qkv conv output (NHWC, channels laid out per head as
 * [q (keyDim), k (keyDim), v (headDim)], the order of PyTorch's `view(B, heads, 2·keyDim + headDim, N)`) in,
 * two tensors out: softmax(qᵀk · keyDim^-½) applied to v, and v itself (for the depthwise `pe` conv), both
 * [B, H, W, heads·headDim] with channel = head·headDim + d as in `view(B, C, H, W)`.
 */
export class AttentionHeads extends tf.layers.Layer {
  static readonly className = 'YoloTsAttentionHeads';
  readonly numHeads: number;
  readonly keyDim: number;
  readonly headDim: number;

  constructor(args: LayerArgs & { numHeads: number; keyDim: number; headDim: number }) {
    super(args);
    this.numHeads = args.numHeads;
    this.keyDim = args.keyDim;
    this.headDim = args.headDim;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape[] {
    const out = [...singleShape(inputShape).slice(0, -1), this.numHeads * this.headDim];
    return [out, [...out]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
    return tf.tidy(() => {
      const qkv = single(inputs);
      const [b, h, w] = qkv.shape as number[];
      const { numHeads, keyDim, headDim } = this;
      const perHead = qkv.reshape([b!, h! * w!, numHeads, 2 * keyDim + headDim]);
      const [q, k, v] = tf.split(perHead.transpose([0, 2, 1, 3]), [keyDim, keyDim, headDim], 3) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
      const attn = tf.softmax(tf.matMul(q, k, false, true).mul(keyDim ** -0.5)); // [B, heads, N, N], rows sum to 1
      const toImage = (t: tf.Tensor) => t.transpose([0, 2, 1, 3]).reshape([b!, h!, w!, numHeads * headDim]);
      return [toImage(tf.matMul(attn, v)), toImage(v)];
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), numHeads: this.numHeads, keyDim: this.keyDim, headDim: this.headDim };
  }
}

// Registered at import so tf.loadLayersModel can rebuild saved models that use them.
tf.serialization.registerClass(ChannelSlice);
tf.serialization.registerClass(AttentionHeads);
