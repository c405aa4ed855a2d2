import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@yolo-ts/engine';
import { loadModel, BatchNormAct } from '@yolo-ts/models';
import { gatherBatch, resolveData, datasetRegistry, evaluate } from './dist/index.js';
const dir = process.argv[2]; const bs = Number(process.argv[3] ?? 16);
await selectBackend('wasm');
const { model } = await loadModel(dir);
const src = await resolveData(process.argv[4] ?? 'mnist160', await datasetRegistry(() => {}));
const data = await src.load({ cache: 'disk', log: () => {} });
console.log('before', evaluate(model, data.test, 28));
const bns = model.layers.filter((l) => l instanceof BatchNormAct);
bns.forEach((l) => (l.batchesTracked = 0));
const n = Math.min(data.train.count, 4096);
for (let s = 0; s < n; s += bs) {
  const idx = Array.from({ length: Math.min(bs, n - s) }, (_, i) => s + i);
  tf.tidy(() => { const { x } = gatherBatch(data.train, idx, { imgsz: 28 }); model.apply(x, { training: true }); });
}
console.log('after precise BN over', n, 'train images, batch', bs, evaluate(model, data.test, 28));
