import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

/**
 * wasm-threads.ts for a web page. A page needs no patched build: tfjs' wasm backend loads its threaded SIMD build
 * by itself where the page is cross-origin isolated (COOP/COEP headers, so SharedArrayBuffer exists); only the
 * thread count is set here. Importing tfjs-backend-wasm registers the backend, so a page selects its backend
 * (selectBackend) before any other tfjs call. Where its .wasm files are served is tfjs' `setWasmPaths`.
 */

/** Threads worth using: the logical cores the browser reports, at most 4 (XNNPACK's gains flatten beyond). */
export function defaultThreadCount(): number {
  return Math.max(1, Math.min(4, globalThis.navigator?.hardwareConcurrency ?? 1));
}

export function registerThreadedWasmBackend(threads = defaultThreadCount()): void {
  if (threads > 1 && globalThis.crossOriginIsolated) setThreadsCount(threads);
}
