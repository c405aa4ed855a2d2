import { defineConfig } from 'vitest/config';
import { useTestTempRoot } from '@yolo-ts/core-data/testing';

useTestTempRoot('faults');

export default defineConfig({ test: { testTimeout: 120_000, pool: 'forks' } });
