import { defineConfig } from 'vitest/config';
import { useTestTempRoot } from '@yolo-ts/core-data/testing';

useTestTempRoot('engine');

// Small shapes split between the native helper threads too (production splits only ~1 ms of work).
export default defineConfig({ test: { testTimeout: 300_000, pool: 'forks', env: { YOLO_TS_PARALLEL_MIN_WORK: '4096' } } });
