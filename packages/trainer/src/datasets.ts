import { DatasetRegistry } from '@yolo-ts/core-data';
import { emnistPlugin } from '@yolo-ts/plugin-emnist';
import { fashionMnistPlugin } from '@yolo-ts/plugin-fashion-mnist';
import { mnistPlugin } from '@yolo-ts/plugin-mnist';
import { mnist160Plugin } from '@yolo-ts/plugin-mnist160';

/** A registry holding the dataset plugins that ship with yolo-ts. */
export function defaultDatasetRegistry(): DatasetRegistry {
  return new DatasetRegistry([mnistPlugin, mnist160Plugin, emnistPlugin, fashionMnistPlugin]);
}

/** Datasets live under YOLO_TS_DATASETS_DIR, else `datasets/` in the working folder, as Ultralytics does. */
export function datasetsDir(): string {
  return process.env.YOLO_TS_DATASETS_DIR || 'datasets';
}
