import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CANDIDATES, selectBackend, type BackendCandidate } from './backend.js';
import { wasmThreadCount } from './thread-count.js';
import { defaultThreadCount } from './wasm-threads.js';

const wasmAndCpu = DEFAULT_CANDIDATES.filter((c) => c.name !== 'tensorflow');
const missingNode: BackendCandidate = { name: 'tensorflow', load: () => import('@tensorflow/tfjs-node-not-installed' as string) };

describe('selectBackend', () => {
  it('falls back to wasm when tfjs-node is missing, and says why', async () => {
    const choice = await selectBackend('auto', [missingNode, ...wasmAndCpu]);
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.fallbacks).toHaveLength(1);
    expect(choice.summary).toMatch(/^backend: wasm \(\d+ threads?, (relaxed-SIMD|SIMD128) kernels; tensorflow unavailable: .*tfjs-node-not-installed/);
    // In Node tfjs never threads wasm by itself: yolo-ts' threaded build must give every available core (≤ 4).
    expect(wasmThreadCount()).toBe(defaultThreadCount());
    expect(tf.tidy(() => tf.matMul([[1, 2]], [[3], [4]]).dataSync()[0])).toBe(11);
  });

  it('with the real default list picks tensorflow where its binding loads, else wasm', async () => {
    let nodeLoads = true;
    try {
      await import('@tensorflow/tfjs-node');
    } catch {
      nodeLoads = false;
    }
    const choice = await selectBackend();
    expect(choice.name).toBe(nodeLoads ? 'tensorflow' : 'wasm');
  });

  it('honours a forced backend and refuses one that cannot load', async () => {
    expect((await selectBackend('cpu')).name).toBe('cpu');
    await expect(selectBackend('tensorflow', [missingNode])).rejects.toThrow(/backend 'tensorflow' cannot be used here/);
    await selectBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });
});
