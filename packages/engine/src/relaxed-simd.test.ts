import { describe, expect, it } from 'vitest';
import { moduleBytes, relaxedSimd } from './native-host.js';
import type { NativeKernels } from './native.js';
import { selectBackend } from './backend.js';

/** One variant of the kernels on a memory of its own. */
function instantiate(shared: boolean, relaxed: boolean): { kernels: NativeKernels; heap: Float32Array } {
  const memory = new WebAssembly.Memory(shared ? { initial: 64, maximum: 65536, shared: true } : { initial: 64 });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes(shared, relaxed)), { env: { memory } });
  return { kernels: instance.exports as unknown as NativeKernels, heap: new Float32Array(memory.buffer) };
}

describe('relaxed-SIMD kernels', () => {
  it('are picked on Node 20 (its V8 has them behind a flag the engine sets), and the backend line says so', async () => {
    if (process.env.YOLO_TS_RELAXED_SIMD === '0') return expect(relaxedSimd()).toBe(false);
    expect(relaxedSimd()).toBe(true);
    expect((await selectBackend('wasm')).summary).toMatch(/^backend: wasm \(\d+ threads?, relaxed-SIMD kernels/);
  });

  it('compute the products of the SIMD128 build, in every variant, on odd shapes', () => {
    const [M, K, N] = [37, 300, 21]; // K over one 256-deep chunk, N with a scalar tail, M with single rows
    const [a, b, c, panel] = [0, M * K, M * K + K * N, M * K + K * N + M * N];
    const results = [false, true].flatMap((shared) =>
      [false, true].map((relaxed) => {
        const { kernels, heap } = instantiate(shared, relaxed);
        for (let i = 0; i < panel; i++) heap[i] = Math.sin(i * 0.37) * (i % 7);
        kernels.gemm(4 * a, 4 * b, 4 * c, M, K, N, 0, 0, K, N, N, 0, 0, 4 * panel);
        return heap.slice(c, c + M * N);
      }),
    );
    const [reference] = results;
    let exact = 0;
    for (let i = 0; i < M * N; i++) exact += Math.abs(reference![i]!);
    expect(exact).toBeGreaterThan(1000); // not a product of zeros
    for (const got of results) {
      for (let i = 0; i < M * N; i++) expect(Math.abs(got[i]! - reference![i]!)).toBeLessThan(1e-4 * (1 + Math.abs(reference![i]!)));
    }
  });
});
