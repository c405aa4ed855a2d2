import { defineConfig } from 'vitest/config';
import { useTestTempRoot } from './src/testing/temp-root.js';

useTestTempRoot('core-data');

export default defineConfig({ test: { testTimeout: 60_000, pool: 'forks' } });
