/**
 * `pnpm export:check MODEL_DIR... [data=mnist] [split=test]`: exports each saved model in every format and precision
 * and compares each export, run by its own runtime (stock tfjs, onnxruntime-node), with the saved model on every
 * image of the split: the largest probability difference, top-1 agreement, top-1 accuracy and file size. Writes
 * the exports next to each model, as `yolo-ts classify export` does. Not run in CI (minutes per model).
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@yolo-ts/engine';
import { datasetRegistry, exportModel, loadTrainedModel, openExportedModel, resolveData } from '@yolo-ts/trainer';

const args = process.argv.slice(2);
const option = (key: string, fallback: string) => args.find((a) => a.startsWith(`${key}=`))?.slice(key.length + 1) ?? fallback;
const models = args.filter((a) => !a.includes('='));
if (models.length === 0) {
  console.error('usage: pnpm export:check runs/classify/train/weights/best ... [data=mnist] [split=test]');
  process.exit(2);
}
const data = option('data', 'mnist');
const quiet = () => {};
const backend = await selectBackend('auto');
console.log(backend.summary);
const source = await resolveData(data, await datasetRegistry(quiet, { data }));
const loaded = await source.load({ cache: 'disk', log: quiet });
const split = option('split', 'test') === 'train' ? loaded.train : (loaded.test ?? loaded.val)!;
const pixels = Float32Array.from(split.images);
const per = split.height * split.width * split.channels;
const CHUNK = 500;

/** Top-1 of each row of `probs` [n, classes]. */
const argmax = (probs: Float32Array, classes: number) => Array.from({ length: probs.length / classes }, (_, i) => {
  let best = 0;
  for (let k = 1; k < classes; k++) if (probs[i * classes + k]! > probs[i * classes + best]!) best = k;
  return best;
});

async function inChunks(run: (x: Float32Array, n: number) => Promise<Float32Array>, classes: number): Promise<Float32Array> {
  const out = new Float32Array(split.count * classes);
  for (let i = 0; i < split.count; i += CHUNK) {
    const n = Math.min(CHUNK, split.count - i);
    out.set(await run(pixels.subarray(i * per, (i + n) * per), n), i * classes);
  }
  return out;
}

const rows: string[] = ['| model | format | precision | size (MB) | max abs Δp | top-1 agreement | top-1 accuracy (Δ points) |', '|---|---|---|---|---|---|---|'];
for (const dir of models) {
  const { model, metadata } = await loadTrainedModel(dir);
  const classes = metadata.names.length;
  const reference = await inChunks(async (x, n) => tf.tidy(() => tf.softmax(model.predict(tf.tensor4d(x, [n, split.height, split.width, split.channels]), { batchSize: n }) as tf.Tensor2D).dataSync() as Float32Array), classes);
  model.dispose();
  const refTop = argmax(reference, classes);
  const accuracy = (top: number[]) => top.filter((t, i) => t === split.labels[i]).length / top.length;
  const refAcc = accuracy(refTop);
  rows.push(`| ${metadata.architecture} (${dir}) | tfjs-layers (saved) | fp32 | | | | ${(refAcc * 100).toFixed(2)}% |`);
  for (const format of ['tfjs', 'onnx'] as const) {
    for (const precision of ['fp32', 'fp16', 'int8'] as const) {
      const { path, bytes } = await exportModel({ model: dir, format, dynamic: true, half: precision === 'fp16', int8: precision === 'int8', verbose: false }, { log: quiet });
      const exported = await openExportedModel(path);
      const probs = await inChunks((x, n) => exported.probabilities(x, n), classes);
      await exported.dispose();
      let maxDiff = 0;
      for (let i = 0; i < probs.length; i++) maxDiff = Math.max(maxDiff, Math.abs(probs[i]! - reference[i]!));
      const top = argmax(probs, classes);
      const agree = top.filter((t, i) => t === refTop[i]).length / top.length;
      const acc = accuracy(top);
      rows.push(`| | ${format} | ${precision} | ${(bytes / 1e6).toFixed(2)} | ${maxDiff.toExponential(1)} | ${(agree * 100).toFixed(2)}% | ${(acc * 100).toFixed(2)}% (${((acc - refAcc) * 100).toFixed(2)}) |`);
      console.log(rows.at(-1));
    }
  }
}
console.log(`\n${data} ${option('split', 'test')} split, ${split.count} images, backend ${backend.name}\n`);
console.log(rows.join('\n'));
