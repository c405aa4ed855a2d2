import * as tf from '@tensorflow/tfjs';
import { YoloTsError } from '@yolo-ts/core-data';
import { preloadNativeModules, relaxedSimd } from './native-host.js';
import { wasmThreadCount } from './thread-count.js';
import { loadTfjsNode } from './tfjs-node-loader.js';
import { registerWasmTrainingKernels } from './wasm-kernels.js';
import { registerThreadedWasmBackend } from './wasm-threads.js';

/** A backend the user asked for cannot be loaded, or none can. */
export class BackendError extends YoloTsError {
  static override readonly code: string = 'E_BACKEND';
}

/** The tfjs backends yolo-ts runs on, fastest first. `tensorflow` is tfjs-node's native libtensorflow. */
export const BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** How one backend is made available: import its package, then the name tfjs knows it by. */
export interface BackendCandidate {
  name: BackendName;
  /** Imports the package that registers the backend; throws when it cannot load here. */
  load: () => Promise<unknown>;
  /** Runs after the backend is active, e.g. to register kernels it lacks. */
  prepare?: () => void;
  /** Details worth printing once active, e.g. the thread count. */
  describe?: () => string;
}

let wasmLoaded = false;

/**
 * Imports the wasm backend and, in Node, swaps in its multi-threaded build (a no-op on 1-core machines); fetches
 * yolo-ts' kernels in a page.
 */
async function loadWasm(): Promise<void> {
  await Promise.all([import('@tensorflow/tfjs-backend-wasm'), preloadNativeModules()]);
  if (!wasmLoaded) registerThreadedWasmBackend();
  wasmLoaded = true;
}

/** e.g. "2 threads, relaxed-SIMD kernels": which build of yolo-ts' kernels runs is worth a ~1.3× in speed. */
function describeWasm(): string {
  const threads = wasmThreadCount();
  return `${threads} thread${threads === 1 ? '' : 's'}, ${relaxedSimd() ? 'relaxed-SIMD' : 'SIMD128'} kernels`;
}

export const DEFAULT_CANDIDATES: readonly BackendCandidate[] = [
  // tfjs-node is an optional dependency: its native binding is absent where libtensorflow could not be fetched.
  { name: 'tensorflow', load: loadTfjsNode },
  { name: 'wasm', load: loadWasm, prepare: registerWasmTrainingKernels, describe: describeWasm },
  // The cpu backend ships inside @tensorflow/tfjs; it always loads.
  { name: 'cpu', load: async () => undefined },
];

export interface BackendChoice {
  /** The backend now active in tfjs. */
  name: BackendName;
  /** Why faster backends were skipped, one entry per skipped backend; empty when the first one loaded. */
  fallbacks: string[];
  /** One line for the user, e.g. "backend: wasm (tensorflow unavailable: ...)". */
  summary: string;
}

/**
 * Activates the first backend of `candidates` that loads, starting from `prefer` when the user forced one
 * (`device=`/`backend=`). A forced backend that cannot load is an error, not a silent fallback.
 */
export async function selectBackend(prefer: BackendName | 'auto' = 'auto', candidates: readonly BackendCandidate[] = DEFAULT_CANDIDATES): Promise<BackendChoice> {
  const order = prefer === 'auto' ? candidates : candidates.filter((c) => c.name === prefer);
  if (order.length === 0) throw new BackendError(`unknown backend '${prefer}'; valid: auto, ${BACKENDS.join(', ')}`);
  const fallbacks: string[] = [];
  for (const candidate of order) {
    try {
      await candidate.load();
      if (!(await tf.setBackend(candidate.name))) throw new Error(`tf.setBackend('${candidate.name}') returned false`);
      await tf.ready();
      candidate.prepare?.();
      const details = [candidate.describe?.(), ...fallbacks].filter(Boolean);
      const why = details.length ? ` (${details.join('; ')})` : '';
      return { name: candidate.name, fallbacks, summary: `backend: ${candidate.name}${why}` };
    } catch (error) {
      const reason = firstLine(error);
      if (prefer !== 'auto') throw new BackendError(`backend '${prefer}' cannot be used here: ${reason}`);
      fallbacks.push(`${candidate.name} unavailable: ${reason}`);
    }
  }
  throw new BackendError(`no tfjs backend could be loaded: ${fallbacks.join('; ')}`);
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split('\n')[0]!.trim();
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}
