import * as tf from '@tensorflow/tfjs';
import { Adam, compileTrainStep, selectBackend } from '@yolo-ts/engine';
import { defaultModelRegistry } from '@yolo-ts/models';
await selectBackend('wasm');
const batch = Number(process.argv[2] ?? 16);
const x = tf.randomUniform([batch, 28, 28, 1], 0, 255, 'float32', 5);
const y = tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), 'int32');
const model = defaultModelRegistry().build('yolo26n-cls', { imgsz: 28, channels: 1, nc: 10, seed: 0 });
const plan = compileTrainStep(model, { maxBatch: batch });
const adam = new Adam(1e-3);
const layers = model.layers.filter((l) => !['InputLayer', 'Flatten'].includes(l.getClassName()));
const nodes = plan.nodes;
const tot = new Map();
nodes.forEach((node, i) => {
  const cls = layers[i].getClassName() + (layers[i].getClassName() === 'Conv2D' ? `${layers[i].kernelSize}s${layers[i].strides[0]}` : '');
  for (const phase of ['forward', 'backward']) {
    const f = node[phase].bind(node);
    node[phase] = (n) => { const t = performance.now(); f(n); const k = `${cls}.${phase}`; tot.set(k, (tot.get(k) ?? 0) + performance.now() - t); };
  }
});
for (let i = 0; i < 5; i++) { plan.run(x, y); adam.applyInPlace(plan.params); }
tot.clear();
const steps = 30;
let ta = 0;
const t0 = performance.now();
for (let i = 0; i < steps; i++) { plan.run(x, y); const t = performance.now(); adam.applyInPlace(plan.params); ta += performance.now() - t; }
const total = (performance.now() - t0) / steps;
console.log(`batch ${batch}: ${total.toFixed(2)} ms/step, adam ${(ta / steps).toFixed(2)}`);
for (const [k, v] of [...tot].sort((a, b) => b[1] - a[1])) console.log(k.padEnd(40), (v / steps).toFixed(2));
