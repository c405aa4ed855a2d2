import * as tf from '@tensorflow/tfjs';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

/**
 * wasm-threads.ts for a web page. tfjs' wasm backend loads its threaded SIMD build by itself where the page (or
 * worker) is cross-origin isolated (COOP/COEP headers, so SharedArrayBuffer exists), but sizes its thread pool as
 * logical cores ÷ 2 (as in Node): 1 thread on a 2-core machine whatever setThreadsCount asks. As in Node, the
 * backend is created while `navigator.hardwareConcurrency` reports threads × 2. Importing tfjs-backend-wasm registers
 * the backend, so a page selects its backend (selectBackend) before any other tfjs call; where its .wasm files are
 * served is tfjs' `setWasmPaths`.
 */

/** Threads worth using: the logical cores the browser reports, at most 4 (XNNPACK's gains flatten beyond). */
export function defaultThreadCount(): number {
  return Math.max(1, Math.min(4, globalThis.navigator?.hardwareConcurrency ?? 1));
}

async function withLogicalCores<T>(cores: number, fn: () => Promise<T>): Promise<T> {
  Object.defineProperty(navigator, 'hardwareConcurrency', { configurable: true, get: () => cores });
  try {
    return await fn();
  } finally {
    delete (navigator as { hardwareConcurrency?: number }).hardwareConcurrency; // the prototype's getter again
  }
}

export function registerThreadedWasmBackend(threads = defaultThreadCount()): void {
  const factory = tf.findBackendFactory('wasm');
  if (threads <= 1 || !globalThis.crossOriginIsolated || !factory) return;
  setThreadsCount(threads);
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', () => withLogicalCores(threads * 2, async () => factory()), 2);
}
