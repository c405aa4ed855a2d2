import { describe, expect, it } from 'vitest';
import { Adam } from '@yolo-ts/engine';
import { defaultConfig } from '../config/defaults.js';
import { learningRate, makeOptimizer, warmupSteps } from './optimizer.js';

describe('optimizer=auto (Ultralytics’ rule)', () => {
  it('takes AdamW with the fitted lr for up to 10,000 steps of 64 images, SGD beyond', () => {
    const cfg = { ...defaultConfig(), batch: 16, epochs: 10 };
    const short = makeOptimizer(cfg, 10, 60_000); // ceil(60000 / 64) · 10 = 9,380 steps
    expect([short.name, short.lr0, short.momentum]).toEqual(['AdamW', 0.000714, 0.9]);
    expect(short.optimizer).toBeInstanceOf(Adam);
    expect((short.optimizer as Adam).weightDecay).toBe(0.0005);
    const long = makeOptimizer({ ...cfg, epochs: 11 }, 10, 60_000); // 10,318 steps
    expect([long.name, long.lr0, long.momentum]).toEqual(['SGD', 0.01, 0.9]);
    expect(makeOptimizer(cfg, 47, 60_000).lr0).toBe(0.000196); // 0.002·5/51
    [short, long].forEach((o) => o.optimizer.dispose());
  });

  it('honours an explicit optimizer with lr0 and momentum (Adam as beta1), decay only for AdamW', () => {
    const cfg = { ...defaultConfig(), optimizer: 'Adam' as const, lr0: 0.002, momentum: 0.8 };
    const adam = makeOptimizer(cfg, 10, 1000).optimizer as Adam;
    expect([adam.learningRate, adam.beta1, adam.weightDecay]).toEqual([0.002, 0.8, 0]);
    const adamw = makeOptimizer({ ...cfg, optimizer: 'AdamW' }, 10, 1000).optimizer as Adam;
    expect(adamw.weightDecay).toBe(0.0005);
    [adam, adamw].forEach((o) => o.dispose());
  });
});

describe('schedule', () => {
  it('decays linearly from lr0 to lr0·lrf and warms up for max(warmup_epochs·steps, 100), at most a third of the run', () => {
    const cfg = { ...defaultConfig(), epochs: 10, lrf: 0.01 };
    expect(learningRate(cfg, 0.1, 0)).toBeCloseTo(0.1, 12);
    expect(learningRate(cfg, 0.1, 5)).toBeCloseTo(0.1 * (0.5 * 0.99 + 0.01), 12);
    expect(warmupSteps(cfg, 469)).toBe(1407);
    expect(warmupSteps(cfg, 20)).toBe(66); // 100 wanted, 200 steps in all
    expect(warmupSteps({ ...cfg, warmup_epochs: 0 }, 469)).toBe(0);
  });
});
