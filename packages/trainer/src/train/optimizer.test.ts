import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Adam } from '@yolo-ts/engine';
import { defaultConfig } from '../config/defaults.js';
import { chooseOptimizer, makeOptimizer, parameterGroup, scheduleFactor, stepSchedule, warmupSteps } from './optimizer.js';

describe('optimizer=auto (Ultralytics’ rule)', () => {
  it('takes AdamW with the fitted lr for up to 10,000 steps of 64 images, SGD beyond', () => {
    const cfg = { ...defaultConfig(), batch: 16, epochs: 10 };
    const short = makeOptimizer(cfg, 10, 60_000, []); // ceil(60000 / 64) · 10 = 9,380 steps
    expect([short.name, short.lr0, short.momentum, short.warmupBiasLr]).toEqual(['AdamW', 0.000714, 0.9, 0]);
    expect(short.optimizer.groups.every((g) => g instanceof Adam)).toBe(true);
    // Decay for the weights group only.
    expect(short.optimizer.groups.map((g) => (g as Adam).weightDecay)).toEqual([0.0005, 0, 0]);
    const long = makeOptimizer({ ...cfg, epochs: 11 }, 10, 60_000, []); // 10,318 steps
    expect([long.name, long.lr0, long.momentum]).toEqual(['SGD', 0.01, 0.9]);
    expect(makeOptimizer(cfg, 47, 60_000, []).lr0).toBe(0.000196); // 0.002·5/51
    [short, long].forEach((o) => o.optimizer.dispose());
  });

  it('honours an explicit optimizer with lr0, momentum (Adam as beta1) and warmup_bias_lr, decay only for AdamW', () => {
    const cfg = { ...defaultConfig(), optimizer: 'Adam' as const, lr0: 0.002, momentum: 0.8 };
    const adam = makeOptimizer(cfg, 10, 1000, []);
    expect([adam.optimizer.groups[0]!.learningRate, (adam.optimizer.groups[0] as Adam).beta1, (adam.optimizer.groups[0] as Adam).weightDecay, adam.warmupBiasLr]).toEqual([0.002, 0.8, 0, 0.1]);
    const adamw = makeOptimizer({ ...cfg, optimizer: 'AdamW' }, 10, 1000, []);
    expect((adamw.optimizer.groups[0] as Adam).weightDecay).toBe(0.0005);
    [adam, adamw].forEach((o) => o.optimizer.dispose());
  });

  it("sorts weights into Ultralytics' groups: decayed weights, BatchNorm scales, biases", () => {
    expect(['model.0.conv/kernel', 'model.0.bn/gamma', 'model.0.bn/beta', 'model.10.linear/bias', 'model.10.linear/kernel'].map(parameterGroup)).toEqual([0, 1, 2, 2, 0]);
  });

  it('keeps its state by layer names through a save and restore into another model', async () => {
    const make = () => {
      const input = tf.input({ shape: [3] });
      return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2, name: 'fc' }).apply(input) as tf.SymbolicTensor });
    };
    const a = make();
    const b = make(); // same layer names, other tfjs variable names
    const cfg = { ...defaultConfig(), optimizer: 'AdamW' as const, lr0: 0.01 };
    const oa = makeOptimizer(cfg, 2, 10, a.trainableWeights).optimizer;
    const ob = makeOptimizer(cfg, 2, 10, b.trainableWeights).optimizer;
    const x = tf.tensor2d([[1, 2, 3]]);
    const loss = (m: tf.LayersModel) => () => tf.sum(m.apply(x) as tf.Tensor) as tf.Scalar;
    oa.minimize(loss(a), false, a.trainableWeights.map((w) => w.read() as tf.Variable));
    b.setWeights(a.getWeights());
    const before = tf.memory().numTensors;
    await ob.restore(await oa.state());
    expect(tf.memory().numTensors - before).toBe(4); // m and v of kernel and bias, nothing else kept
    for (const [o, m] of [[oa, a], [ob, b]] as const) o.minimize(loss(m), false, m.trainableWeights.map((w) => w.read() as tf.Variable));
    expect(Array.from(b.getWeights()[0]!.dataSync())).toEqual(Array.from(a.getWeights()[0]!.dataSync()));
    expect((await ob.state()).iterations).toEqual([2, 2, 2]);
  });
});

describe("schedule (Ultralytics' formulas)", () => {
  it('decays linearly, or as one_cycle with cos_lr, from 1 to lrf', () => {
    const cfg = { ...defaultConfig(), epochs: 10, lrf: 0.01 };
    expect(scheduleFactor(cfg, 0)).toBeCloseTo(1, 12);
    expect(scheduleFactor(cfg, 5)).toBeCloseTo(0.5 * 0.99 + 0.01, 12);
    // one_cycle(1, lrf, epochs)(x) = ((1 − cos(x·π/epochs)) / 2)·(lrf − 1) + 1
    const cos = { ...cfg, cos_lr: true };
    expect(scheduleFactor(cos, 0)).toBeCloseTo(1, 12);
    expect(scheduleFactor(cos, 3)).toBeCloseTo(((1 - Math.cos((3 * Math.PI) / 10)) / 2) * (0.01 - 1) + 1, 12);
    expect(scheduleFactor(cos, 10)).toBeCloseTo(0.01, 12);
  });

  it('warms up for max(warmup_epochs·steps, 100), at most a third of the run: weights from 0, biases from warmup_bias_lr, SGD momentum from warmup_momentum', () => {
    const cfg = { ...defaultConfig(), epochs: 10, lrf: 0.01, optimizer: 'SGD' as const, lr0: 0.01, momentum: 0.937 };
    expect(warmupSteps(cfg, 469)).toBe(1407);
    expect(warmupSteps(cfg, 20)).toBe(66); // 100 wanted, 200 steps in all
    expect(warmupSteps({ ...cfg, warmup_epochs: 0 }, 469)).toBe(0);
    const choice = chooseOptimizer(cfg, 10, 1000);
    // np.interp(ni, [0, nw], [start, lr0·lf(epoch)]) at ni = 500 of nw = 1407, epoch 1 of 469-step epochs
    const lr = 0.01 * (0.9 * 0.99 + 0.01);
    const t = 500 / 1407;
    const s = stepSchedule(cfg, choice, 1407, 469, 500);
    expect(s.rates[0]).toBeCloseTo(lr * t, 12);
    expect(s.rates[1]).toBeCloseTo(lr * t, 12);
    expect(s.rates[2]).toBeCloseTo(0.1 + (lr - 0.1) * t, 12);
    expect(s.momentum).toBeCloseTo(0.8 + (0.937 - 0.8) * t, 12);
    const after = stepSchedule(cfg, choice, 1407, 469, 2000); // epoch 4
    expect(after.rates).toEqual([0.01 * (0.6 * 0.99 + 0.01), 0.01 * (0.6 * 0.99 + 0.01), 0.01 * (0.6 * 0.99 + 0.01)]);
    expect(after.momentum).toBe(0.937);
  });
});
