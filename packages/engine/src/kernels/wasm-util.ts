import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** A kernel function that runs on the wasm backend, typed for our use. */
export type WasmKernel = (args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs?: tf.NamedAttrMap }) => tf.TensorInfo;

/**
 * Float32 view of a tensor in the wasm heap. Take views only after the kernel's last allocation: with threads
 * the heap is a growable SharedArrayBuffer and an allocation can replace it, leaving older views stale.
 */
export function f32(backend: BackendWasm, t: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

export function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Calls the stock BatchMatMul: out[1, M, N] = a[1, M, K] × b[1, K, N], untransposed (XNNPACK's fast path). */
export function matMul(backend: BackendWasm, a: tf.TensorInfo, b: tf.TensorInfo, batchMatMul: tf.KernelFunc): tf.TensorInfo {
  return batchMatMul({ inputs: { a, b }, backend, attrs: { transposeA: false, transposeB: false } }) as tf.TensorInfo;
}

/** The same data seen with another shape (no copy, no reference taken: only for kernel-internal use). */
export function view(t: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}
