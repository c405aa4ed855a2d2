import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import { useTestTempRoot } from '@yolo-ts/core-data/testing';

useTestTempRoot('trainer');

// Datasets the tests prepare (mnist160 from the offline MNIST copy) go to a fresh folder, not into the package.
export default defineConfig({ test: { testTimeout: 300_000, pool: 'forks', env: { YOLO_TS_DATASETS_DIR: mkdtempSync(join(tmpdir(), 'yolo-ts-trainer-datasets-')) } } });
