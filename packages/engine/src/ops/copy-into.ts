import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Copies a float32 tensor's values into `out` at `offset`: straight from the wasm heap on wasm (one copy, where
 * dataSync would make a second), through dataSync elsewhere. Replicas exchange gradients this way every step.
 */
export function copyInto(t: tf.Tensor, out: Float32Array, offset: number): void {
  if (tf.getBackend() === 'wasm' && t.dtype === 'float32') {
    const backend = tf.backend() as BackendWasm; // synchronous: a tensor's values are in the heap once it exists
    const heap = (backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8;
    out.set(new Float32Array(heap.buffer, heap.byteOffset + backend.getMemoryOffset(t.dataId), t.size), offset);
    return;
  }
  out.set(t.dataSync() as Float32Array, offset);
}
