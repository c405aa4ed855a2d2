import * as tf from '@tensorflow/tfjs';
import { Adam, compileTrainStep, selectBackend } from '@yolo-ts/engine';
import { defaultModelRegistry } from '@yolo-ts/models';
import { trainStep, trainableVariables } from '@yolo-ts/trainer/internals';
const b = await selectBackend('wasm');
console.log(b.summary);
for (const name of (process.argv[2] ?? 'yolo26n-cls').split(',')) for (const batch of (process.argv[3] ?? '16,64').split(',').map(Number)) {
  const x = tf.randomUniform([batch, 28, 28, 1], 0, 255, 'float32', 5);
  const y = tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), 'int32');
  const res = {};
  for (const mode of ['tfjs', 'plan', 'tfjs', 'plan']) {
    const model = defaultModelRegistry().build(name, { imgsz: 28, channels: 1, nc: 10, seed: 0 });
    const adam = new Adam(1e-3);
    const vars = trainableVariables(model);
    const plan = mode === 'plan' ? compileTrainStep(model, { maxBatch: batch }) : undefined;
    const step = () => (plan ? (plan.run(x, y), adam.applyInPlace(plan.params)) : trainStep(model, adam, vars, x, y));
    for (let i = 0; i < 3; i++) step();
    const t0 = performance.now();
    let n = 0;
    while (performance.now() - t0 < 3000) { step(); n++; }
    const ms = (performance.now() - t0) / n;
    res[mode] = [...(res[mode] ?? []), (batch / ms * 1000).toFixed(0)];
    plan?.dispose(); adam.dispose(); model.dispose();
  }
  console.log(name, batch, 'img/s tfjs', res.tfjs.join('/'), 'plan', res.plan.join('/'));
}
