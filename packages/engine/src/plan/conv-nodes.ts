import * as tf from '@tensorflow/tfjs';
import { Parallel } from './parallel.js';
import { planGemm } from './plan-gemm.js';
import { gradTarget, type BuildContext, type PlanNode } from './graph.js';
import { foldedBatchNorm } from './batch-norm-node.js';

/** Patches up to this length take the short-patch kernels (conv_fwd_short, conv_dw_short). */
const SHORT_PATCH = 32;
/** Patch floats conv_fwd_gemm holds at once (L2-sized). */
const COLS_FLOATS = 1 << 18;
/** The gemm and conv kernels' epilogue activation codes (kernels.c: 0 linear, 1 ReLU, 2 SiLU). */
export const CONV_ACT = { linear: 0, relu: 1, silu: 2 } as const;
/** The activations a Conv2D or Dense node trains through (its backward masks ReLU; SiLU comes only folded). */
const TRAINABLE_ACT = ['linear', 'relu'] as const;

type Config = tf.serialization.ConfigDict;
const pair = (v: unknown) => (Array.isArray(v) ? (v as number[]) : [v as number, v as number]);

export class PlanUnsupported extends Error {}

function activationOf(layer: tf.layers.Layer): (typeof TRAINABLE_ACT)[number] {
  const act = String((layer.getConfig() as Config).activation ?? 'linear');
  if (!(TRAINABLE_ACT as readonly string[]).includes(act)) throw new PlanUnsupported(`${layer.name}: activation ${act}`);
  return act as (typeof TRAINABLE_ACT)[number];
}

function geometry(layer: tf.layers.Layer, inShape: number[], co: number) {
  const cfg = layer.getConfig() as Config;
  const [kh, kw] = pair(cfg.kernelSize);
  const [sh, sw] = pair(cfg.strides ?? 1);
  if (pair(cfg.dilationRate ?? 1).some((d) => d !== 1)) throw new PlanUnsupported(`${layer.name}: dilation`);
  const [H, W, ci] = inShape as [number, number, number];
  const info = tf.backend_util.computeConv2DInfo([1, H, W, ci], [kh!, kw!, ci, co], [sh!, sw!], 1, cfg.padding as 'same' | 'valid');
  return { H, W, ci, kh: kh!, kw: kw!, sh: sh!, sw: sw!, oh: info.outHeight, ow: info.outWidth, top: info.padInfo.top, left: info.padInfo.left };
}

/**
 * Conv2D (NHWC, optional bias, linear or ReLU) forward and backward in native kernels: short patches (a first
 * layer on grayscale images) take the direct kernels, 1×1 stride-1 convs are a gemm on x itself, others im2col +
 * gemm. Backward: dW = patchesᵀ·dz, dx = col2im(dz·Wᵀ), dz = dy masked by ReLU. With `foldInto` (an inference
 * plan's bias-free linear conv whose only consumer is that BatchNormAct), the BatchNorm is folded into the conv.
 */
export function conv2dNode(layer: tf.layers.Layer, ctx: BuildContext, foldInto?: tf.layers.Layer): PlanNode {
  const { k, arena, maxBatch, par, panels } = ctx;
  const [x] = ctx.inputs as [BuildContext['inputs'][0]];
  const [kernel, bias] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
  const co = kernel!.shape[3]!;
  const g = geometry(layer, x.shape, co);
  const { H, W, ci, kh, kw, sh, sw, oh, ow, top, left } = g;
  const K = kh * kw * ci;
  const folded = foldInto && foldedBatchNorm(foldInto, ctx, K, co);
  const act = folded ? folded.act : CONV_ACT[activationOf(layer)];
  const P = oh * ow;
  const y = ctx.output([oh, ow, co]);
  const dKernel = ctx.param(kernel!);
  const dBias = bias ? ctx.param(bias) : undefined;
  const into = ctx.contribute(x);
  const pointwise = kh === 1 && kw === 1 && sh === 1 && sw === 1 && top === 0 && left === 0;
  const short = K <= SHORT_PATCH;
  const colsRows = Math.max(P, Math.floor(COLS_FLOATS / K));
  const gemmPath = !short && !pointwise;
  const cols = gemmPath ? ctx.perThread('cols', colsRows * K) : [];
  // conv_fwd_gemm's scratch for skipping the taps in the padding: a filter's gathered rows, a group's outputs.
  const wtaps = gemmPath ? ctx.perThread('wtaps', K * co) : [];
  const outs = gemmPath ? ctx.perThread('convout', colsRows * co) : [];
  const big = arena.shared('patches', !ctx.inference && !pointwise && (!short || into) ? maxBatch * P * K : 0);
  const dz = act && !ctx.inference ? arena.shared('dz', maxBatch * P * co) : undefined;
  const tmp = arena.shared('grad', maxBatch * x.per);
  const dacc = arena.shared('dacc', 2 * co);
  const geo = [H, W, ci, oh, ow] as const;
  const [inImage, outImage] = [4 * H * W * ci, 4 * P * co];
  const perImage = Parallel.min((P * co * K) / 8);
  const { address } = ctx;
  return {
    forward(n) {
      const { w, b } = folded ? folded.fold(address(kernel!)) : { w: address(kernel!), b: bias ? address(bias) : 0 };
      const [px, py] = [x.data.address, y.data.address];
      if (short && co % 16 === 0) par.split('conv_fwd_short', n, perImage, (lo, hi) => [px + lo * inImage, w, b, py + lo * outImage, hi - lo, ...geo, co, kh, kw, sh, sw, top, left, act]);
      else if (pointwise) planGemm(par, panels, px, w, py, n * P, ci, co, 0, 0, ci, co, co, b, act);
      else par.split('conv_fwd_gemm', n, perImage, (lo, hi, t) => [px + lo * inImage, w, b, py + lo * outImage, hi - lo, ...geo, co, kh, kw, sh, sw, top, left, act, cols[t]!.address, colsRows, panels[t]!.address, wtaps[t]!.address, outs[t]!.address]);
    },
    backward(n) {
      const M = n * P;
      const px = x.data.address;
      let g = y.grad!.address;
      if (dz) {
        const [gy, py, pz] = [g, y.data.address, dz.address];
        par.split('relu_backward', M * co, Parallel.min(3), (lo, hi) => [gy + 4 * lo, py + 4 * lo, pz + 4 * lo, hi - lo], 4);
        g = pz;
      }
      if (dBias) k.reduce_rows(g, dBias.address, M, co, 1, dacc.address);
      if (short) k.conv_dw_short(px, g, dKernel.address, n, ...geo, co, kh, kw, sh, sw, top, left);
      else if (pointwise) planGemm(par, panels, px, g, dKernel.address, ci, M, co, 1, 0, ci, co, co);
      else {
        const pb = big.address;
        par.split('im2col', n, Parallel.min(P * K), (lo, hi) => [px + lo * inImage, pb + 4 * lo * P * K, hi - lo, ...geo, kh, kw, sh, sw, top, left]);
        planGemm(par, panels, pb, g, dKernel.address, K, M, co, 1, 0, K, co, co);
      }
      if (!into) return;
      const dx = gradTarget(par, into, tmp, n);
      const w = address(kernel!);
      if (pointwise) planGemm(par, panels, g, w, dx.address, M, co, ci, 0, 1, co, co, ci);
      else {
        const [pb, pdx] = [big.address, dx.address];
        planGemm(par, panels, g, w, pb, M, co, K, 0, 1, co, co, K);
        par.split('col2im', n, Parallel.min(P * K), (lo, hi) => [pb + 4 * lo * P * K, pdx + lo * inImage, hi - lo, ...geo, kh, kw, sh, sw, top, left]);
      }
      dx.finish();
    },
  };
}

/** DepthwiseConv2D without bias (Attention's positional `pe` conv): native forward, depthwise_grads backward. */
export function depthwiseNode(layer: tf.layers.Layer, ctx: BuildContext): PlanNode {
  const { k, arena, maxBatch } = ctx;
  const [x] = ctx.inputs as [BuildContext['inputs'][0]];
  if (layer.trainableWeights.length !== 1) throw new PlanUnsupported(`${layer.name}: depthwise bias`);
  const kernel = layer.trainableWeights[0]!.read() as tf.Variable;
  const [, , ci, mult] = kernel.shape as number[];
  const g = geometry(layer, x.shape, ci! * mult!);
  activationOf(layer) === 'linear' || (() => { throw new PlanUnsupported(`${layer.name}: activation`); })();
  const y = ctx.output([g.oh, g.ow, ci! * mult!]);
  const dKernel = ctx.param(kernel);
  const into = ctx.contribute(x);
  const tmp = arena.shared('grad', maxBatch * x.per);
  const args = [g.H, g.W, g.ci, g.oh, g.ow, mult!, g.kh, g.kw, g.sh, g.sw] as const;
  return {
    forward(n) {
      k.depthwise_forward(x.data.address, ctx.address(kernel), y.data.address, n, ...args, g.top, g.left);
    },
    backward(n) {
      const dx = into ? gradTarget(ctx.par, into, tmp, n) : undefined;
      k.depthwise_grads(x.data.address, ctx.address(kernel), y.grad!.address, dx?.address ?? 0, dKernel.address, n, ...args, 1, 1, g.top, g.left);
      dx?.finish();
    },
  };
}

/** Dense (optional bias, linear or ReLU) on [n, features]. */
export function denseNode(layer: tf.layers.Layer, ctx: BuildContext): PlanNode {
  const { k, arena, maxBatch, par, panels } = ctx;
  const [x] = ctx.inputs as [BuildContext['inputs'][0]];
  const [kernel, bias] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
  const [fin, fout] = kernel!.shape as [number, number];
  const act = CONV_ACT[activationOf(layer)];
  const y = ctx.output([fout]);
  const dKernel = ctx.param(kernel!);
  const dBias = bias ? ctx.param(bias) : undefined;
  const into = ctx.contribute(x);
  const dz = act ? arena.shared('dz', maxBatch * fout) : undefined;
  const tmp = arena.shared('grad', maxBatch * x.per);
  const dacc = arena.shared('dacc', 2 * fout);
  const { address } = ctx;
  return {
    forward(n) {
      planGemm(par, panels, x.data.address, address(kernel!), y.data.address, n, fin, fout, 0, 0, fin, fout, fout, bias ? address(bias) : 0, act);
    },
    backward(n) {
      let g = y.grad!.address;
      if (dz) {
        k.relu_backward(g, y.data.address, dz.address, n * fout);
        g = dz.address;
      }
      if (dBias) k.reduce_rows(g, dBias.address, n, fout, 1, dacc.address);
      planGemm(par, panels, x.data.address, g, dKernel.address, fin, n, fout, 1, 0, fin, fout, fout);
      if (!into) return;
      const dx = gradTarget(par, into, tmp, n);
      planGemm(par, panels, g, address(kernel!), dx.address, n, fout, fin, 0, 1, fout, fout, fin);
      dx.finish();
    },
  };
}
