import { defineConfig } from 'vitest/config';
import { useTestTempRoot } from '@yolo-ts/core-data/testing';

useTestTempRoot('models');

export default defineConfig({ test: { testTimeout: 60_000, pool: 'forks' } });
