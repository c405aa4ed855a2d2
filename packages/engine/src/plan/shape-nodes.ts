import type * as tf from '@tensorflow/tfjs';
import { accumulate, byRows, gradTarget, type BuildContext, type PlanNode, type Value } from './graph.js';
import { Parallel } from './parallel.js';
import { PlanUnsupported } from './conv-nodes.js';

type Config = tf.serialization.ConfigDict;
const channels = (v: Value) => v.shape[v.shape.length - 1]!;

/** Rescaling of the raw input pixels (no gradient: nothing trainable lies before it). */
export function rescalingNode(layer: tf.layers.Layer, ctx: BuildContext): PlanNode {
  const cfg = layer.getConfig() as Config;
  const [x] = ctx.inputs as [Value];
  const y = ctx.output(x.shape, true);
  return {
    forward: (n) => ctx.par.split('scale_shift', n * x.per, Parallel.min(2), (lo, hi) => [x.data.address + 4 * lo, y.data.address + 4 * lo, hi - lo, Number(cfg.scale), Number(cfg.offset ?? 0)], 4),
    backward() {},
  };
}

/** Add of two tensors (residual connections): the gradient goes to both unchanged. */
export function addNode(layer: tf.layers.Layer, ctx: BuildContext): PlanNode {
  if (ctx.inputs.length !== 2) throw new PlanUnsupported(`${layer.name}: Add of ${ctx.inputs.length} inputs`);
  const [a, b] = ctx.inputs as [Value, Value];
  const y = ctx.output(a.shape);
  const into = [ctx.contribute(a), ctx.contribute(b)];
  return {
    forward: (n) => ctx.par.split('add2', n * a.per, Parallel.min(3), (lo, hi) => [a.data.address + 4 * lo, b.data.address + 4 * lo, y.data.address + 4 * lo, hi - lo], 4),
    backward(n) {
      for (const c of into) if (c) accumulate(ctx.par, c.value.grad!.address, y.grad!.address, n * y.per, c.acc);
    },
  };
}

/** Concatenate along channels; backward hands each input its columns of the gradient. */
export function concatNode(layer: tf.layers.Layer, ctx: BuildContext): PlanNode {
  const axis = Number((layer.getConfig() as Config).axis ?? -1);
  if (axis !== -1 && axis !== ctx.inputs[0]!.shape.length) throw new PlanUnsupported(`${layer.name}: concat axis ${axis}`);
  const parts = ctx.inputs.map((v) => ({ v, c: channels(v), into: ctx.contribute(v) }));
  const C = parts.reduce((s, p) => s + p.c, 0);
  const y = ctx.output([...ctx.inputs[0]!.shape.slice(0, -1), C]);
  const rowsPer = y.per / C;
  const offsets = parts.map((_, i) => parts.slice(0, i).reduce((s, p) => s + p.c, 0));
  return {
    forward(n) {
      parts.forEach((p, i) => byRows(ctx.par, 'move_cols', n * rowsPer, 2 * p.c, (lo, count) => [p.v.data.address + 4 * lo * p.c, p.c, 0, y.data.address + 4 * lo * C, C, offsets[i]!, count, p.c, 0]));
    },
    backward(n) {
      parts.forEach((p, i) => {
        const acc = p.into?.acc ? 1 : 0;
        if (p.into) byRows(ctx.par, 'move_cols', n * rowsPer, 2 * p.c, (lo, count) => [y.grad!.address + 4 * lo * C, C, offsets[i]!, p.v.grad!.address + 4 * lo * p.c, p.c, 0, count, p.c, acc]);
      });
    },
  };
}

/** models' ChannelSlice: channels [begin, begin + size). */
export function channelSliceNode(layer: tf.layers.Layer, ctx: BuildContext): PlanNode {
  const { begin, size } = layer as unknown as { begin: number; size: number };
  const [x] = ctx.inputs as [Value];
  const C = channels(x);
  const y = ctx.output([...x.shape.slice(0, -1), size]);
  const into = ctx.contribute(x);
  const rowsPer = x.per / C;
  return {
    forward: (n) => byRows(ctx.par, 'move_cols', n * rowsPer, 2 * size, (lo, count) => [x.data.address + 4 * lo * C, C, begin, y.data.address + 4 * lo * size, size, 0, count, size, 0]),
    backward(n) {
      if (!into) return;
      // The first write covers the whole input gradient: zeros outside the slice.
      const dx = x.grad!.address;
      if (!into.acc) ctx.par.split('zero_fill', n * x.per, Parallel.min(1), (lo, hi) => [dx + 4 * lo, hi - lo], 4);
      byRows(ctx.par, 'move_cols', n * rowsPer, 2 * size, (lo, count) => [y.grad!.address + 4 * lo * size, size, 0, dx + 4 * lo * C, C, begin, count, size, 1]);
    },
  };
}

/** GlobalAveragePooling2D. */
export function globalPoolNode(_layer: tf.layers.Layer, ctx: BuildContext): PlanNode {
  const [x] = ctx.inputs as [Value];
  const C = channels(x);
  const P = x.per / C;
  const y = ctx.output([C]);
  const into = ctx.contribute(x);
  return {
    forward: (n) => ctx.k.gap_forward(x.data.address, y.data.address, n, P, C),
    backward(n) {
      if (into) ctx.k.gap_backward(y.grad!.address, x.grad!.address, n, P, C, into.acc ? 1 : 0);
    },
  };
}

/** MaxPooling2D with 2×2 windows, stride 2, valid padding (the plain CNN's). */
export function maxPoolNode(layer: tf.layers.Layer, ctx: BuildContext): PlanNode {
  const cfg = layer.getConfig() as Config;
  const pool = [cfg.poolSize, cfg.strides].flat().map(Number);
  if (pool.some((p) => p !== 2) || cfg.padding !== 'valid') throw new PlanUnsupported(`${layer.name}: pool ${JSON.stringify(cfg.poolSize)} stride ${JSON.stringify(cfg.strides)} ${String(cfg.padding)}`);
  const [x] = ctx.inputs as [Value];
  const [H, W, C] = x.shape as [number, number, number];
  const [oh, ow] = [Math.floor(H / 2), Math.floor(W / 2)];
  const y = ctx.output([oh, ow, C]);
  const into = ctx.contribute(x);
  const tmp = ctx.arena.shared('grad', ctx.maxBatch * x.per);
  return {
    forward: (n) => ctx.k.maxpool2x2_forward(x.data.address, y.data.address, n, H, W, C, oh, ow),
    backward(n) {
      if (!into) return;
      const dx = gradTarget(ctx.par, into, tmp, n);
      ctx.k.maxpool2x2_grad(x.data.address, y.grad!.address, dx.address, n, H, W, C, oh, ow);
      dx.finish();
    },
  };
}

/**
 * models' AttentionHeads: two outputs (the attended values and v), one native forward keeping the attention
 * weights, one backward taking both outputs' gradients.
 */
export function attentionNode(layer: tf.layers.Layer, ctx: BuildContext): PlanNode {
  const { numHeads: heads, keyDim: kd, headDim: hd } = layer as unknown as { numHeads: number; keyDim: number; headDim: number };
  const [qkv] = ctx.inputs as [Value];
  const [H, W] = qkv.shape as [number, number];
  const N = H * W;
  const out = ctx.output([H, W, heads * hd]);
  const v = ctx.output([H, W, heads * hd]);
  const attn = ctx.arena.slot(ctx.maxBatch * heads * N * N);
  const scratch = ctx.arena.shared('attention', N * N);
  const tmp = ctx.arena.shared('grad', ctx.maxBatch * qkv.per);
  const into = ctx.contribute(qkv);
  const scale = kd ** -0.5;
  return {
    forward: (n) => ctx.k.attention_forward(qkv.data.address, out.data.address, v.data.address, attn.address, n, N, heads, kd, hd, scale),
    backward(n) {
      if (!into) return;
      const dx = gradTarget(ctx.par, into, tmp, n);
      ctx.k.attention_backward(qkv.data.address, attn.address, out.grad!.address, v.grad!.address, dx.address, scratch.address, n, N, heads, kd, hd, scale);
      dx.finish();
    },
  };
}
