import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import { useTestTempRoot } from '@yolo-ts/core-data/testing';

useTestTempRoot('demo');

// The Node side of the browser test prepares mnist160 in a fresh folder, not in the package.
export default defineConfig({ test: { testTimeout: 120_000, hookTimeout: 120_000, pool: 'forks', env: { YOLO_TS_DATASETS_DIR: mkdtempSync(join(tmpdir(), 'yolo-ts-demo-datasets-')) } } });
