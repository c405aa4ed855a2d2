import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend.js';
import { nativePool, ptr } from './native.js';
import { splitRange } from './work-split.js';
import { wasmThreadCount } from './thread-count.js';

describe('native helper threads', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('run a kernel on ranges at once on the shared heap, and report a helper’s trap as an error', () => {
    const backend = tf.backend() as unknown as BackendWasm;
    const pool = nativePool(backend);
    if (wasmThreadCount() === 1) return expect(pool).toBeUndefined();
    expect(pool!.threads).toBe(wasmThreadCount());
    const x = tf.range(0, 64, 1, 'float32').reshape([4, 16]);
    const out = backend.makeOutput([4, 16], 'float32');
    // Two 2×16 halves transposed into 16×2 blocks by two threads.
    pool!.run([0, 1].map((h) => ['transpose2d', [ptr(backend, x) + 4 * 32 * h, ptr(backend, out) + 4 * 32 * h, 2, 16, 1]] as ['transpose2d', number[]]));
    const got = Array.from(backend.typedArrayFromHeap(out) as Float32Array);
    expect(got.slice(0, 4)).toEqual([0, 16, 1, 17]);
    expect(got.slice(32, 36)).toEqual([32, 48, 33, 49]);
    const beyond = 2 ** 31; // past the heap: the helper's kernel traps
    const calls: ['transpose2d', number[]][] = [['transpose2d', [ptr(backend, x), ptr(backend, out), 2, 16, 1]], ['transpose2d', [beyond, beyond, 16, 16, 1]]];
    expect(() => pool!.run(calls.slice(0, pool!.threads))).toThrow(/native kernel transpose2d failed in a helper's share: .*out of bounds/);
    pool!.run(calls.slice(0, 1)); // still usable
    backend.disposeData(out.dataId);
    x.dispose();
  });

  it("take back a share that no helper has claimed, with the same result", () => {
    const backend = tf.backend() as unknown as BackendWasm;
    const pool = nativePool(backend);
    if (!pool) return;
    const x = tf.range(0, 64, 1, 'float32').reshape([4, 16]);
    const out = backend.makeOutput([4, 16], 'float32');
    const halves = [0, 1].map((h) => ['transpose2d', [ptr(backend, x) + 4 * 32 * h, ptr(backend, out) + 4 * 32 * h, 2, 16, 1]] as ['transpose2d', number[]]);
    const before = pool.takenBack;
    // After an idle gap the helper sleeps; its wake-up (tens of µs) outlasts this thread's 32-float share, so this
    // thread runs the posted half itself rather than waiting for the helper to be scheduled.
    for (let i = 0; i < 20; i++) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
      backend.typedArrayFromHeap(out).fill(-1);
      pool.run(halves);
      const got = Array.from(backend.typedArrayFromHeap(out) as Float32Array);
      expect([got.slice(0, 4), got.slice(32, 36)]).toEqual([[0, 16, 1, 17], [32, 48, 33, 49]]);
    }
    expect(pool.takenBack).toBeGreaterThan(before);
    backend.disposeData(out.dataId);
    x.dispose();
  });

  it('split work into aligned ranges no smaller than asked', () => {
    expect(splitRange(10, 2, 4)).toEqual([[0, 5], [5, 10]]);
    expect(splitRange(7, 2, 4)).toEqual([[0, 7]]);
    expect(splitRange(100, 2, 4, 8)).toEqual([[0, 48], [48, 100]]);
    expect(splitRange(0, 2, 1)).toEqual([]);
  });
});
