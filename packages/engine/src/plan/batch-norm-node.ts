import type * as tf from '@tensorflow/tfjs';
import { ownedAddress } from './heap-variables.js';
import { byRows, gradTarget, type BuildContext, type PlanNode } from './graph.js';
import { Parallel } from './parallel.js';
import { CONV_ACT, PlanUnsupported } from './conv-nodes.js';

/** What the plan reads of models' BatchNormAct layer (engine cannot import @yolo-ts/models). */
interface BatchNormActLike {
  momentum: number;
  epsilon: number;
  activation: string;
  batchesTracked: number;
}

/** bn_act_forward's and bn_act_backward's activation codes. */
const ACT: Record<string, number> = { linear: 0, silu: 1 };

/**
 * An inference BatchNormAct folded into the bias-free conv before it (Ultralytics' fuse()): `fold` writes the
 * folded filter and bias from the current weights and moving statistics (they change between validations, and
 * folding costs one pass over the filter), and the conv applies the BatchNorm's activation in its epilogue.
 */
export function foldedBatchNorm(layer: tf.layers.Layer, ctx: BuildContext, K: number, co: number) {
  const bn = layer as unknown as BatchNormActLike;
  const act = bn.activation === 'linear' || bn.activation === 'silu' ? CONV_ACT[bn.activation] : undefined;
  if (act === undefined) throw new PlanUnsupported(`${layer.name}: activation ${bn.activation}`);
  const [gamma, beta] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
  const [movingMean, movingVar] = layer.nonTrainableWeights.map((w) => w.read() as tf.Variable);
  const [filter, bias] = [ctx.arena.slot(K * co), ctx.arena.slot(co)];
  const { address } = ctx;
  return {
    act,
    fold(kernel: number): { w: number; b: number } {
      ctx.k.bn_fold(kernel, filter.address, bias.address, K, co, address(gamma!), address(beta!), address(movingMean!), address(movingVar!), bn.epsilon);
      return { w: filter.address, b: bias.address };
    },
  };
}

/**
 * BatchNormAct in training mode: batch statistics, the fused affine + SiLU, the moving statistics updated in place
 * with the layer's own momentum rule (a cumulative average until it reaches `momentum`, see BatchNormAct), and the
 * closed-form backward.
 */
export function batchNormNode(layer: tf.layers.Layer, ctx: BuildContext): PlanNode {
  const { k, arena, maxBatch, backend, par } = ctx;
  const bn = layer as unknown as BatchNormActLike;
  const act = ACT[bn.activation];
  if (act === undefined) throw new PlanUnsupported(`${layer.name}: activation ${bn.activation}`);
  const [x] = ctx.inputs as [BuildContext['inputs'][0]];
  const C = x.shape[x.shape.length - 1]!;
  const rowsPer = x.per / C;
  const [gamma, beta] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
  const [movingMean, movingVar] = layer.nonTrainableWeights.map((w) => w.read() as tf.Variable);
  const y = ctx.output(x.shape);
  const dGamma = ctx.param(gamma!);
  const dBeta = ctx.param(beta!);
  const into = ctx.contribute(x);
  const mean = arena.slot(C);
  const invstd = arena.slot(C);
  const dacc = arena.shared('dacc', 4 * C);
  const own = ctx.privateStatistics ? [arena.slot(C), arena.slot(C)] : undefined;
  if (own) ctx.statistics.push({ variable: movingMean!, slot: own[0]! }, { variable: movingVar!, slot: own[1]! });
  const tmp = arena.shared('grad', maxBatch * x.per);
  const { address } = ctx;
  const [pm, ps] = [mean, invstd];
  if (ctx.inference) {
    return {
      forward(n) {
        const rows = n * rowsPer;
        const [px, py, pg, pb, pm] = [x.data.address, y.data.address, address(gamma!), address(beta!), address(movingMean!)];
        k.bn_invstd(address(movingVar!), ps.address, C, bn.epsilon);
        byRows(par, 'bn_act_forward', rows, 2 * C, (lo, count) => [px + 4 * lo * C, py + 4 * lo * C, count, C, pm, ps.address, pg, pb, act]);
      },
      backward() {},
    };
  }
  return {
    forward(n) {
      const rows = n * rowsPer;
      const [px, py, pg, pb] = [x.data.address, y.data.address, address(gamma!), address(beta!)];
      // Statistics by channel ranges (each thread reads every row of its channels), the affine pass by rows.
      par.split('bn_stats_range', C, Parallel.min(2 * rows), (c0, c1) => [px, rows, C, c0, c1, bn.epsilon, pm.address, ps.address, dacc.address], 4);
      byRows(par, 'bn_act_forward', rows, 2 * C, (lo, count) => [px + 4 * lo * C, py + 4 * lo * C, count, C, pm.address, ps.address, pg, pb, act]);
      const momentum = Math.min(bn.momentum, bn.batchesTracked / (bn.batchesTracked + 1));
      if (own) {
        // A second half-batch plan: the layer's count moves once per step, with the first plan.
        k.bn_moving_update(pm.address, ps.address, own[0]!.address, own[1]!.address, C, momentum, bn.epsilon);
        return;
      }
      bn.batchesTracked++;
      k.bn_moving_update(pm.address, ps.address, ownedAddress(backend, movingMean!), ownedAddress(backend, movingVar!), C, momentum, bn.epsilon);
    },
    backward(n) {
      const rows = n * rowsPer;
      // bn_act_backward writes dx whole; an input with a second consumer takes it through the scratch buffer.
      const dx = into ? gradTarget(par, into, tmp, n) : { address: tmp.address, finish() {} };
      const [px, pdx, pg, pb, dy] = [x.data.address, dx.address, address(gamma!), address(beta!), y.grad!.address];
      par.split('bn_act_backward_reduce', C, Parallel.min(3 * rows), (c0, c1) => [dy, px, pdx, rows, C, c0, c1, pm.address, ps.address, pg, pb, act, dGamma.address, dBeta.address, dacc.address], 4);
      byRows(par, 'bn_act_backward_apply', rows, 3 * C, (lo, count) => [px + 4 * lo * C, pdx + 4 * lo * C, count, C, pm.address, ps.address, pg, dGamma.address, dBeta.address, rows]);
      dx.finish();
    },
  };
}
