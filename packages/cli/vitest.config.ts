import { defineConfig } from 'vitest/config';
import { useTestTempRoot } from '@yolo-ts/core-data/testing';

useTestTempRoot('cli');

export default defineConfig({ test: { testTimeout: 300_000, pool: 'forks' } });
