import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapBuffer, nativeKernels, type NativeKernels } from '../native.js';
import { Arena } from './arena.js';
import { batchNormNode } from './batch-norm-node.js';
import { conv2dNode, denseNode, depthwiseNode, PlanUnsupported } from './conv-nodes.js';
import { size, type BuildContext, type Contribution, type Param, type PlanNode, type Statistic, type Value } from './graph.js';
import { Parallel, parallelOf } from './parallel.js';
import { GEMM_PANEL_FLOATS } from '../kernels/wasm-util.js';
import { addNode, attentionNode, channelSliceNode, concatNode, globalPoolNode, maxPoolNode, rescalingNode } from './shape-nodes.js';

export { PlanUnsupported };

type Builder = (layer: tf.layers.Layer, ctx: BuildContext) => PlanNode;

/** The layers a plan knows, by tfjs class name (models' custom layers by their registered names). */
const BUILDERS: Record<string, Builder> = {
  Rescaling: rescalingNode,
  Conv2D: conv2dNode,
  DepthwiseConv2D: depthwiseNode,
  Dense: denseNode,
  YoloTsBatchNormAct: batchNormNode,
  Add: addNode,
  Concatenate: concatNode,
  YoloTsChannelSlice: channelSliceNode,
  YoloTsAttentionHeads: attentionNode,
  GlobalAveragePooling2D: globalPoolNode,
  MaxPooling2D: maxPoolNode,
};

/** What the graph walk reads of tfjs-layers' internal Node. */
interface InboundNode {
  inboundLayers: tf.layers.Layer[];
  nodeIndices: number[];
  tensorIndices: number[];
}

const inboundOf = (layer: tf.layers.Layer) => (layer as unknown as { inboundNodes: InboundNode[] }).inboundNodes;

/** The BatchNormAct an inference plan folds `conv` into: its only consumer, where `conv` is bias-free and linear. */
function foldableBatchNorm(conv: tf.layers.Layer): tf.layers.Layer | undefined {
  const outbound = (conv as unknown as { outboundNodes: { outboundLayer: tf.layers.Layer }[] }).outboundNodes;
  const next = outbound.length === 1 ? outbound[0]!.outboundLayer : undefined;
  const cfg = conv.getConfig();
  if (next?.getClassName() !== 'YoloTsBatchNormAct' || inboundOf(next).length !== 1 || inboundOf(next)[0]!.inboundLayers.length !== 1) return undefined;
  return !cfg.useBias && (cfg.activation ?? 'linear') === 'linear' ? next : undefined;
}

export interface CompileOptions {
  /** The largest batch a step will get (the arena is sized for it). */
  maxBatch: number;
  /** Label smoothing of the softmax cross-entropy (tfjs' rule: targets (1 − s)·onehot + s/classes). */
  labelSmoothing?: number;
  /** What runs the kernel calls: the native kernels on this thread (default), or a pool helper's recording. */
  kernels?: NativeKernels;
  /** Split big kernels over the native pool's threads (default true; never with `kernels`). */
  threaded?: boolean;
  /**
   * BatchNorm's moving statistics go to buffers of the plan's own (`statistics`), started from the layers' values
   * by {@link CompiledTrainStep.loadStatistics}, instead of the layers' variables.
   */
  privateStatistics?: boolean;
  /** Forward only, in inference mode (for {@link CompiledTrainStep.predict}): no gradients, no loss. */
  inference?: boolean;
}

/**
 * A training step of `model` compiled into native kernel calls over one preallocated heap arena: forward in
 * training mode (BatchNorm batch statistics, moving statistics updated in place), softmax cross-entropy averaged
 * over the batch, and backward into one gradient buffer per trainable weight. No tfjs op, tape or tensor per step.
 * Weights are read where tfjs keeps them (their addresses are looked up per step), so the model stays the source
 * of truth and save/load/export see no difference; an optimizer then applies `params`' gradients in place
 * (engine's Adam.applyInPlace). Throws PlanUnsupported for layers or settings it does not know: callers fall back
 * to the tfjs step.
 */
export class CompiledTrainStep implements TrainStepPlan {
  readonly params: Param[] = [];
  /** With `privateStatistics`: each moving statistic's variable and the plan's buffer for it. */
  readonly statistics: Statistic[] = [];
  /** How many Conv → BatchNormAct pairs an inference plan runs as one folded conv. */
  readonly foldedBatchNorms: number;
  private readonly nodes: PlanNode[] = [];
  private readonly arena = new Arena();
  private readonly input: Value;
  private readonly logits: Value;
  private readonly unfed: Value[];
  private readonly labels;
  private readonly sums;
  private readonly k;
  private readonly par: Parallel;

  constructor(
    private readonly backend: BackendWasm,
    model: tf.LayersModel,
    private readonly options: CompileOptions,
  ) {
    this.k = options.kernels ?? nativeKernels(backend);
    this.par = options.kernels || options.threaded === false ? new Parallel(this.k) : parallelOf(backend);
    const { maxBatch } = options;
    const perThread = (name: string, floats: number) => Array.from({ length: this.par.threads }, (_, t) => this.arena.shared(`${name}.${t}`, floats));
    const panels = perThread('panel', GEMM_PANEL_FLOATS);
    if (model.inputs.length !== 1 || model.outputs.length !== 1) throw new PlanUnsupported('one input and one output');
    const values = new Map<string, Value>();
    const all: Value[] = [];
    const key = (layer: tf.layers.Layer, index: number) => `${layer.name}:${index}`;
    const newValue = (shape: number[], wanted: boolean): Value => {
      const per = size(shape);
      const grad = wanted && !options.inference;
      const v: Value = { shape, per, data: this.arena.slot(maxBatch * per), grad: grad ? this.arena.slot(maxBatch * per) : undefined, contributions: [] };
      all.push(v);
      return v;
    };
    let input: Value | undefined;
    const folded = new Set<tf.layers.Layer>();
    for (const layer of model.layers) {
      const cls = layer.getClassName();
      const inbound = inboundOf(layer);
      if (inbound.length !== 1) throw new PlanUnsupported(`${layer.name}: a layer used ${inbound.length} times`);
      if (cls === 'InputLayer') {
        input = newValue(layer.outputShape.slice(1) as number[], false);
        values.set(key(layer, 0), input);
        continue;
      }
      if (!layer.trainable && layer.weights.length) throw new PlanUnsupported(`${layer.name}: frozen weights`);
      const { inboundLayers, nodeIndices, tensorIndices } = inbound[0]!;
      if (nodeIndices.some((i) => i !== 0)) throw new PlanUnsupported(`${layer.name}: shared layer input`);
      const inputs = inboundLayers.map((l, i) => values.get(key(l, tensorIndices[i]!))!);
      if (cls === 'Flatten' || folded.has(layer)) {
        values.set(key(layer, 0), inputs[0]!); // NHWC flattened is the same buffer; a folded BatchNorm's conv wrote it
        continue;
      }
      const build = BUILDERS[cls];
      if (!build) throw new PlanUnsupported(`${layer.name}: ${cls} layers`);
      let outputs = 0;
      const ctx: BuildContext = {
        backend,
        k: this.k,
        arena: this.arena,
        maxBatch,
        privateStatistics: options.privateStatistics ?? false,
        inference: options.inference ?? false,
        statistics: this.statistics,
        par: this.par,
        panels,
        perThread,
        inputs,
        output: (shape, noGrad) => {
          const v = newValue(shape, !noGrad);
          values.set(key(layer, outputs++), v);
          return v;
        },
        contribute: (v) => {
          if (!v.grad) return undefined;
          const c: Contribution = { value: v, acc: false };
          v.contributions.push(c);
          return c;
        },
        address: (variable) => backend.getMemoryOffset(variable.dataId),
        param: (variable) => {
          const grad = this.arena.slot(options.inference ? 0 : variable.size);
          this.params.push({ variable, grad });
          return grad;
        },
      };
      const foldInto = options.inference && cls === 'Conv2D' ? foldableBatchNorm(layer) : undefined;
      if (foldInto) folded.add(foldInto);
      this.nodes.push(foldInto ? conv2dNode(layer, ctx, foldInto) : build(layer, ctx));
    }
    this.foldedBatchNorms = folded.size;
    const out = model.outputs[0]!;
    this.logits = values.get(`${out.sourceLayer.name}:${out.tensorIndex}`)!;
    this.input = input!;
    // Backward runs consumers last-first: the last one writes each gradient, the earlier ones add to it.
    for (const v of all) v.contributions.forEach((c, i) => (c.acc = i < v.contributions.length - 1));
    this.unfed = all.filter((v) => v.grad && v !== this.logits && v.contributions.length === 0);
    if (this.logits.shape.length !== 1) throw new PlanUnsupported('logits must be [batch, classes]');
    if (options.inference) this.params.length = 0;
    this.labels = this.arena.slot(maxBatch);
    this.sums = this.arena.slot(maxBatch);
    this.arena.allocate(backend);
  }

  /** Heap bytes the plan holds. */
  get bytes(): number {
    return this.arena.bytes;
  }

  /**
   * Forward and backward on a batch: `x` [n, h, w, c] as the model's input takes it, `y` int32 labels. Leaves the
   * gradients in `params` and returns the mean loss.
   */
  run(x: tf.Tensor, y: tf.Tensor): number {
    const n = x.shape[0]!;
    this.issue(this.backend.getMemoryOffset(x.dataId), y.dataSync() as Int32Array, n);
    return this.loss(n);
  }

  /**
   * The kernel calls of a step on the `n` images at heap address `x` with `labels` (run, or recorded when the plan
   * was given a recording); {@link loss} reads the result once they have run.
   */
  issue(x: number, labels: Int32Array, n: number): void {
    this.issueForward(x, n);
    new Int32Array(heapBuffer(this.backend), this.labels.address, n).set(labels.subarray(0, n));
    this.k.softmax_xent_grad(this.logits.data.address, this.labels.address, this.logits.grad!.address, this.sums.address, n, this.logits.per, this.options.labelSmoothing ?? 0);
    for (const v of this.unfed) this.k.zero_fill(v.grad!.address, n * v.per);
    for (let i = this.nodes.length - 1; i >= 0; i--) this.nodes[i]!.backward(n);
  }

  /** Issues the forward pass alone on the `n` images at heap address `x` (an inference plan's step). */
  issueForward(x: number, n: number): void {
    if (n > this.options.maxBatch) throw new RangeError(`batch ${n} > compiled ${this.options.maxBatch}`);
    this.input.data.address = x;
    for (const node of this.nodes) node.forward(n);
  }

  /** A copy of the last forward's logits for `n` images, [n, classes] row-major. */
  logitsOf(n: number): Float32Array {
    return new Float32Array(heapBuffer(this.backend), this.logits.data.address, n * this.logits.per).slice();
  }

  /** Copies the layers' moving statistics into the plan's own buffers (with `privateStatistics`). */
  loadStatistics(): void {
    const k = nativeKernels(this.backend); // now, on this thread, even when the plan's own calls are recorded
    for (const { variable, slot } of this.statistics) k.move_cols(this.backend.getMemoryOffset(variable.dataId), slot.floats, 0, slot.address, slot.floats, 0, 1, slot.floats, 0);
  }

  /** The mean loss of the last step's `n` images: logsumexp(z) − Σ target·z (the kernel left Σ e^(z − max) per row). */
  loss(n: number): number {
    const nc = this.logits.per;
    const s = this.options.labelSmoothing ?? 0;
    const heap = heapBuffer(this.backend);
    const z = new Float32Array(heap, this.logits.data.address, n * nc);
    const sums = new Float32Array(heap, this.sums.address, n);
    const labels = new Int32Array(heap, this.labels.address, n);
    let total = 0;
    for (let r = 0; r < n; r++) {
      let max = -Infinity;
      let mean = 0;
      for (let j = 0; j < nc; j++) {
        max = Math.max(max, z[r * nc + j]!);
        mean += z[r * nc + j]!;
      }
      const target = (1 - s) * z[r * nc + labels[r]!]! + (s / nc) * mean;
      total += max + Math.log(sums[r]!) - target;
    }
    return total / n;
  }

  dispose(): void {
    this.arena.dispose();
  }
}

/** What runs a compiled step: gradients land in `params`, `run` returns the batch's mean loss. */
export interface TrainStepPlan {
  readonly params: Param[];
  /** Heap bytes held. */
  readonly bytes: number;
  run(x: tf.Tensor, y: tf.Tensor): number;
  dispose(): void;
}
