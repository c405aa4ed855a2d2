import { buildFromConfig, type ModelConfig } from './parse-model.js';
import type { ModelSpec } from './spec.js';

/**
 * Ultralytics' cfg/models/26/yolo26-cls.yaml (the layer list of yolo11-cls.yaml), row for row. Published sizes at
 * 224 px, 3 channels, 1000 classes: n 2,812,104 params / 0.5 GFLOPs, s 6,724,008 / 1.6, m 11,634,216 / 5.0,
 * l 14,115,624 / 6.2, x 29,637,064 / 13.7. Adapted for MNIST-sized input only in what the builder is given: any
 * channel count (1 for grayscale, natively) and any imgsz (28 stays 28; Ultralytics rounds it up to 32). At 28 and
 * 32 px the last stage is 1×1, so C2PSA's attention runs over a single position.
 */
export const YOLO26_CLS: ModelConfig = {
  scales: {
    n: [0.5, 0.25, 1024],
    s: [0.5, 0.5, 1024],
    m: [0.5, 1.0, 512],
    l: [1.0, 1.0, 512],
    x: [1.0, 1.5, 512],
  },
  backbone: [
    [-1, 1, 'Conv', [64, 3, 2]], // 0-P1/2
    [-1, 1, 'Conv', [128, 3, 2]], // 1-P2/4
    [-1, 2, 'C3k2', [256, false, 0.25]],
    [-1, 1, 'Conv', [256, 3, 2]], // 3-P3/8
    [-1, 2, 'C3k2', [512, false, 0.25]],
    [-1, 1, 'Conv', [512, 3, 2]], // 5-P4/16
    [-1, 2, 'C3k2', [512, true]],
    [-1, 1, 'Conv', [1024, 3, 2]], // 7-P5/32
    [-1, 2, 'C3k2', [1024, true]],
    [-1, 2, 'C2PSA', [1024]], // 9
  ],
  head: [[-1, 1, 'Classify', ['nc']]],
};

/** `yolo26{n,s,m,l,x}-cls`, one registry entry per scale. */
export const yolo26ClsSpecs: ModelSpec[] = Object.keys(YOLO26_CLS.scales).map((scale) => ({
  name: `yolo26${scale}-cls`,
  description: `Ultralytics YOLO26 classifier, scale ${scale} (Conv/C3k2/C2PSA backbone, Classify head), from yolo26-cls.yaml`,
  build: (o) => buildFromConfig(YOLO26_CLS, scale, `yolo26${scale}-cls`, o),
}));
