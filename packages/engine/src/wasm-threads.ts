import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

// Node's half of the threaded wasm backend; wasm-threads.browser.ts is a page's (package.json's `browser` field).

const require = createRequire(import.meta.url);

/** The emscripten module object that BackendWasm wraps (untyped in tfjs). */
type WasmModule = Record<string, unknown> & { cwrap: (name: string, ret: string | null, args: string[]) => unknown };

/**
 * Writes the pthread worker script once per content to a temp file: tfjs ships it as a string meant for a
 * `blob:` URL, which Node's worker_threads cannot load. Newlines inside its string literals were escaped by
 * tfjs' own loader the same way.
 */
function workerScriptPath(contents: string): string {
  const source = contents.replace(/\n/g, '\\n');
  const dir = join(os.tmpdir(), 'yolo-ts-wasm');
  const path = join(dir, `pthread-worker-${createHash('sha256').update(source).digest('hex').slice(0, 16)}.cjs`);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, source);
    renameSync(tmp, path);
  }
  return path;
}

/**
 * tfjs sizes XNNPACK's thread pool as logical cores ÷ 2 (assuming 2 hyper-threads per core), which on a
 * 2-vCPU machine means 1 thread. Report `threads × 2` cores while the module starts so the pool gets `threads`.
 */
async function withLogicalCores<T>(cores: number, fn: () => Promise<T>): Promise<T> {
  const original = os.cpus;
  os.cpus = () => Array.from({ length: cores }, (_, i) => original()[i % original().length]!);
  try {
    return await fn();
  } finally {
    os.cpus = original;
  }
}

async function instantiateThreadedSimd(threads: number): Promise<tf.KernelBackend> {
  // Imported here, not at the top: importing the package registers the wasm backend, and a registered but
  // uninitialised backend breaks synchronous tfjs calls made before a backend is chosen.
  const { BackendWasm, setThreadsCount } = await import('@tensorflow/tfjs-backend-wasm');
  const out = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
  const mainScript = join(out, 'tfjs-backend-wasm-threaded-simd.js');
  const { wasmWorkerContents } = require(join(out, 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  const worker = workerScriptPath(wasmWorkerContents);
  const factory = require(mainScript) as (config: object) => Promise<WasmModule>;
  // The emscripten glue installs process handlers that rethrow any uncaught error from inside its own minified
  // source, so Node would print that whole 50 kB line for an unrelated bug: remove them once it is loaded.
  const before = { uncaughtException: process.listeners('uncaughtException'), unhandledRejection: process.listeners('unhandledRejection') };
  return withLogicalCores(threads * 2, async () => {
    const module = await factory({
      locateFile: (path: string) => (path.endsWith('.worker.js') ? worker : join(out, path)),
      // Each pthread worker evaluates this file to get the module factory (the name must stay as tfjs built it).
      mainScriptUrlOrBlob: mainScript,
    });
    for (const listener of process.listeners('uncaughtException')) if (!before.uncaughtException.includes(listener)) process.removeListener('uncaughtException', listener);
    for (const listener of process.listeners('unhandledRejection')) if (!before.unhandledRejection.includes(listener)) process.removeListener('unhandledRejection', listener);
    module.tfjs = {
      init: module.cwrap('init', null, []),
      initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
      getThreadsCount: module.cwrap('get_threads_count', 'number', []),
      registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
      disposeData: module.cwrap('dispose_data', null, ['number']),
      dispose: module.cwrap('dispose', null, []),
    };
    setThreadsCount(threads);
    const backend = new BackendWasm(module as never);
    // XNNPACK's pool threads live for the whole process and emscripten keeps their workers referenced, so Node
    // would never exit after the work is done: let them not hold the event loop open.
    const pthreads = module.PThread as { runningWorkers: { unref(): void }[] };
    for (const worker of pthreads.runningWorkers) worker.unref();
    return backend;
  });
}

/** Threads worth using: the machine's available parallelism, at most 4 (XNNPACK's gains flatten beyond). */
export function defaultThreadCount(): number {
  const fromEnv = Number(process.env.YOLO_TS_THREADS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return Math.max(1, Math.min(4, os.availableParallelism()));
}

/**
 * Re-registers tfjs' `wasm` backend so that, in Node, it runs the threaded SIMD build with `threads` threads
 * (tfjs itself never enables threads in Node). Kernels registered for `wasm` are unaffected. Must run before
 * the backend is first initialised.
 */
export function registerThreadedWasmBackend(threads = defaultThreadCount()): void {
  if (threads <= 1 || typeof SharedArrayBuffer === 'undefined') return;
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', () => instantiateThreadedSimd(threads), 2);
}
