import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from './wasm-kernels.js';

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
}

export const DEFAULT_CANDIDATES: readonly BackendCandidate[] = [
  // tfjs-node is an optional dependency: its native binding is absent where libtensorflow could not be fetched.
  { name: 'tensorflow', load: () => import('@tensorflow/tfjs-node') },
  { name: 'wasm', load: () => import('@tensorflow/tfjs-backend-wasm'), prepare: registerWasmTrainingKernels },
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
  if (order.length === 0) throw new Error(`unknown backend '${prefer}'; valid: auto, ${BACKENDS.join(', ')}`);
  const fallbacks: string[] = [];
  for (const candidate of order) {
    try {
      await candidate.load();
      if (!(await tf.setBackend(candidate.name))) throw new Error(`tf.setBackend('${candidate.name}') returned false`);
      await tf.ready();
      candidate.prepare?.();
      const why = fallbacks.length ? ` (${fallbacks.join('; ')})` : '';
      return { name: candidate.name, fallbacks, summary: `backend: ${candidate.name}${why}` };
    } catch (error) {
      const reason = firstLine(error);
      if (prefer !== 'auto') throw new Error(`backend '${prefer}' cannot be used here: ${reason}`);
      fallbacks.push(`${candidate.name} unavailable: ${reason}`);
    }
  }
  throw new Error(`no tfjs backend could be loaded: ${fallbacks.join('; ')}`);
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split('\n')[0]!.trim();
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}
