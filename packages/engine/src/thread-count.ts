import * as tf from '@tensorflow/tfjs';

/** Threads the active wasm backend runs on. */
export function wasmThreadCount(): number {
  const backend = tf.backend() as unknown as { wasm?: { tfjs: { getThreadsCount: () => number } } };
  return backend.wasm?.tfjs.getThreadsCount() ?? 1;
}
