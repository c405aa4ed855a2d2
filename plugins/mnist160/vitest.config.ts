import { defineConfig } from 'vitest/config';
import { useTestTempRoot } from '@yolo-ts/core-data/testing';

useTestTempRoot('mnist160');

export default defineConfig({ test: { testTimeout: 60_000, pool: 'forks' } });
