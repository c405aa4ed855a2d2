import type { NativeKernels } from './native.js';
import type { NativePool } from './native-pool.js';
import { relaxedSimdValidates } from './relaxed-simd.js';

/** native-host.ts for a web page: the kernels' bytes are fetched once before the backend starts. */

const bytesByVariant = new Map<boolean, Uint8Array<ArrayBuffer>>();
const relaxed = relaxedSimdValidates();
// Written as literal `new URL(..., import.meta.url)` so bundlers (Vite, esbuild, webpack) emit the files as assets.
const urls = relaxed
  ? { plain: new URL('../native/kernels-relaxed.wasm', import.meta.url), shared: new URL('../native/kernels-shared-relaxed.wasm', import.meta.url) }
  : { plain: new URL('../native/kernels.wasm', import.meta.url), shared: new URL('../native/kernels-shared.wasm', import.meta.url) };

/** Whether the relaxed-SIMD kernels run here (Chromium ≥114 has relaxed SIMD; pages cannot set flags). */
export function relaxedSimd(): boolean {
  return relaxed;
}

/** Fetches both builds of the kernels for this browser (43 kB each); selectBackend('wasm') awaits this first. */
export async function preloadNativeModules(): Promise<void> {
  await Promise.all(
    ([false, true] as const).map(async (shared) => {
      if (bytesByVariant.has(shared)) return;
      const url = shared ? urls.shared : urls.plain;
      const response = await fetch(url);
      if (!response.ok) throw new Error(`cannot fetch the yolo-ts kernels at ${url.href}: HTTP ${response.status}`);
      bytesByVariant.set(shared, new Uint8Array(await response.arrayBuffer()));
    }),
  );
}

export function moduleBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  const bytes = bytesByVariant.get(shared);
  if (!bytes) throw new Error('the yolo-ts kernels were not fetched: select the wasm backend with selectBackend() first');
  return bytes;
}

/**
 * No helper threads in a page: the pool hands calls over synchronously (Atomics.wait), which a page's main thread
 * may not do. The kernels run on the calling thread; tfjs' own ops still use its threads.
 */
export function createNativePool(_kernels: NativeKernels, _memory: WebAssembly.Memory, _bytes: Uint8Array, _helpers: number): NativePool | null {
  return null;
}
