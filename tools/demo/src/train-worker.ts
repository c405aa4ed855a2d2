/// <reference lib="webworker" />
// The Train panel's worker: tfjs on its own wasm backend with yolo-ts' training kernels (the engine), off the page's
// main thread so that drawing and the chart stay live. Messages: `train` in, `step`/`epoch`/`done`/`error` out.
import * as tf from '@tensorflow/tfjs';
import { selectBackend, wasmThreadCount } from '@yolo-ts/engine';
import { defaultModelRegistry, layersModelJson, transferWeights, type ModelMetadata } from '@yolo-ts/models';
import { evaluate, lowerModel, trainInMemory, writeTfjsGraph } from '@yolo-ts/trainer';
import type { NamedSplit } from './datasets';
import { locateTfjsWasm } from './wasm-paths';

export interface TrainRequest {
  type: 'train';
  arch: string;
  train: NamedSplit;
  test?: NamedSplit;
  epochs: number;
  batch: number;
  /** URL of the pretrained layers model (for `*.pt` archs). */
  pretrained?: string;
}

locateTfjsWasm();
const backend = selectBackend('wasm');
let controller: AbortController | undefined;
/** Lets the worker's event loop run (a `stop` message) without the 1–4 ms of setTimeout. */
const yieldNow = () => new Promise<void>((resolve) => {
  const { port1, port2 } = new MessageChannel();
  port1.onmessage = () => resolve();
  port2.postMessage(null);
});

async function train(r: TrainRequest): Promise<void> {
  const choice = await backend;
  const { train: data, test } = r;
  const nc = data.names.length;
  const imgsz = data.split.height;
  const name = r.arch.replace(/\.(pt|yaml)$/, '');
  const model = defaultModelRegistry().build(name, { imgsz, channels: 1, nc, seed: 0 });
  let from = 'scratch';
  if (r.pretrained) {
    const source = await tf.loadLayersModel(r.pretrained);
    const report = transferWeights(model, source);
    source.dispose();
    from = `pretrained (${report.transferred}/${report.total} tensors)`;
  }
  postMessage({ type: 'started', backend: choice.summary, threads: wasmThreadCount(), from, params: model.countParams() });
  controller = new AbortController();
  const t0 = performance.now();
  let images = 0;
  await trainInMemory({
    model,
    train: data.split,
    epochs: r.epochs,
    batch: r.batch,
    signal: controller.signal,
    onStep: async (s) => {
      images += Math.min(r.batch, data.split.count);
      postMessage({ type: 'step', ...s, elapsed: (performance.now() - t0) / 1000, images });
      await yieldNow();
    },
    onEpochEnd: async (epoch) => {
      if (!test) return;
      const m = evaluate(model, test.split, imgsz);
      postMessage({ type: 'epoch', epoch, top1: m.top1, top5: m.top5, loss: m.loss });
      await yieldNow();
    },
  });
  // What the Draw panel runs (a tfjs graph model, as `yolo-ts classify export format=tfjs` writes it) and what
  // the Download button saves (a layers model with yolo-ts' metadata, as a run's weights/best).
  const graph = writeTfjsGraph(lowerModel(model), 'fp32', null);
  const metadata: ModelMetadata = { architecture: name, names: data.names, imgsz, channels: 1, input: 'uint8-range NHWC', output: 'logits', dataset: 'browser' };
  let saved!: tf.io.ModelArtifacts;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const weightsJson = layersModelJson(saved, './weights.bin', metadata);
  postMessage({ type: 'done', names: data.names, graph: { modelTopology: graph.modelTopology, weightSpecs: graph.weightSpecs, weightData: graph.weightData.buffer }, weightsJson, weightsBin: saved.weightData, seconds: (performance.now() - t0) / 1000 });
  model.dispose();
}

self.onmessage = (event: MessageEvent<TrainRequest | { type: 'stop' }>) => {
  if (event.data.type === 'stop') return controller?.abort();
  train(event.data).catch((error: unknown) => postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) }));
};
