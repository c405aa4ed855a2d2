import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@yolo-ts/engine';
import { describe, expect, it } from 'vitest';
import { BatchNormAct } from './batch-norm-act-layer.js';
import { withFusedConvBn } from './fuse.js';
import { defaultModelRegistry } from './registry.js';

/** Moves every BatchNorm's statistics and affine weights off their initial values, so that folding is visible. */
function perturb(model: tf.LayersModel): void {
  model.setWeights(model.getWeights().map((w, i) => tf.tidy(() => (w.shape.length === 1 ? tf.add(tf.abs(w), tf.randomUniform(w.shape, 0.1, 0.5, 'float32', i)) : w.clone()))));
}

describe('withFusedConvBn', () => {
  it.each(['wasm', 'cpu'] as const)('gives the unfused predictions with Conv→BatchNormAct folded, and restores the layers (%s)', async (backend) => {
    await selectBackend(backend);
    for (const name of ['cnn-bn', 'yolo26n-cls']) {
      const model = defaultModelRegistry().build(name, { imgsz: 28, channels: 1, nc: 10, seed: 0 });
      perturb(model);
      const x = tf.randomUniform([3, 28, 28, 1], 0, 255, 'float32', 7);
      const plain = model.predict(x) as tf.Tensor;
      const before = tf.memory().numTensors;
      let fused!: tf.Tensor;
      const { kernels } = await tf.profile(() => {
        fused = withFusedConvBn(model, () => model.predict(x) as tf.Tensor);
      });
      if (backend === 'wasm') {
        // A BatchNorm pass runs only where no Conv2D feeds it (yolo26n-cls: the attention's depthwise conv).
        const unfoldable = model.layers.filter((l) => l instanceof BatchNormAct && l.inboundNodes[0]!.inboundLayers[0]!.getClassName() !== 'Conv2D');
        expect(kernels.filter((k) => k.name === 'YoloTsBatchNormAct')).toHaveLength(unfoldable.length);
        expect(unfoldable.length).toBe(name === 'cnn-bn' ? 0 : 1);
      }
      expect(tf.memory().numTensors).toBe(before + 1); // only the result: the folded weights are gone
      const [p, f] = [plain.dataSync(), fused.dataSync()];
      for (let i = 0; i < p.length; i++) expect(f[i]!).toBeCloseTo(p[i]!, 3);
      const again = model.predict(x) as tf.Tensor; // restored: the unfused path again
      expect(Array.from(again.dataSync())).toEqual(Array.from(p));
      tf.dispose([x, plain, fused, again]);
      model.dispose();
    }
  }, 60_000);
});
