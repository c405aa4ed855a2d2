import { defineConfig } from 'vitest/config';
import { useTestTempRoot } from '@yolo-ts/core-data/testing';

useTestTempRoot('models');

// testTimeout is a hang guard, not a speed check: on a contended 2-vCPU host (50-75% steal) the heaviest tests here take
// ~100 s where they take ~30 s otherwise. Speed lives in `pnpm bench`.
export default defineConfig({ test: { testTimeout: 300_000, pool: 'forks' } });
