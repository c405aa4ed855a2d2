import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeKernels, nativePool, ptr } from '../native.js';
import type { NativePool } from '../native-pool.js';
import { splitRange, type NativeCall } from '../work-split.js';
import { wasmThreadCount } from '../thread-count.js';

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

/**
 * Rows up to which the native gemm beats XNNPACK's matmul on 2+ threads. XNNPACK packs its right operand on
 * every call (a training step's weights and gradients are new tensors each step) at tens of ns per element,
 * which outweighs its second thread while M is small; native gemm splits big products between threads too
 * (native-pool.ts). Measured on 2 cores: native well ahead below ~250 rows, even from ~1000 to ~3000, XNNPACK
 * ahead on square 1024³ and 12k+ rows (which `pnpm bench` takes as the matmul peak). On one thread (replica
 * workers) native wins at every shape measured (~25 vs 13–22 GFLOP/s).
 */
const NATIVE_GEMM_MAX_ROWS_THREADED = 1000;

/** Scratch floats native gemm needs for one panel of B (GEMM_KC · 8 in native/kernels.c). */
export const GEMM_PANEL_FLOATS = 256 * 8;

/** Whether a product with M rows runs faster in native gemm than in XNNPACK on this backend. */
export function nativeGemmWins(M: number): boolean {
  return M <= NATIVE_GEMM_MAX_ROWS_THREADED || wasmThreadCount() === 1;
}

export interface GemmOptions {
  /** a is given transposed, [K, M]. */
  transA?: boolean;
  /** b is given transposed, [N, K]. */
  transB?: boolean;
  /** Added to every row. */
  bias?: tf.TensorInfo;
  /** Applied after the bias. */
  activation?: 'linear' | 'relu' | 'silu';
}

/**
 * Runs native kernel `name` over items [0, count) (rows, images, elements), split into contiguous ranges between
 * threads where the helper pool exists and each range gets at least `min` items; `argsFor` gives a range's call.
 */
export function splitNative(backend: BackendWasm, name: NativeCall[0], count: number, min: number, argsFor: (lo: number, hi: number) => number[]): void {
  if (count === 0) return;
  const pool = nativePool(backend);
  runNative(backend, pool, (pool ? splitRange(count, pool.threads, min) : [[0, count] as [number, number]]).map(([lo, hi]) => [name, argsFor(lo, hi)]));
}

/** Runs one call per range: on the pool's threads where there is one, else the single call here. */
export function runNative(backend: BackendWasm, pool: NativePool | undefined, calls: NativeCall[]): void {
  if (pool) pool.run(calls);
  else (nativeKernels(backend)[calls[0]![0]] as (...args: number[]) => void)(...calls[0]![1]);
}

/** Whether a conv is 1×1, stride 1, unpadded: its patches are x itself (no im2col, no col2im). */
export function isPointwise(info: tf.backend_util.Conv2DInfo): boolean {
  return info.filterHeight === 1 && info.filterWidth === 1 && info.strideHeight === 1 && info.strideWidth === 1 && info.padInfo.top === 0 && info.padInfo.left === 0;
}

/**
 * The least work (floats passed over, or multiply-adds) worth handing to a helper thread: ~1 ms. A helper sleeping
 * in Atomics.wait takes tens of µs to wake, and on a 2-core machine it competes with XNNPACK's own pool threads:
 * measured on yolo26n-cls training steps at batch 16–64, splitting work of ~0.1 ms made whole steps slower.
 * YOLO_TS_PARALLEL_MIN_WORK overrides it (the engine's tests set it low so that small shapes split too).
 */
export const PARALLEL_MIN_WORK = Number(process.env.YOLO_TS_PARALLEL_MIN_WORK) || 1 << 19;

/** The fewest images worth a thread when each costs `work`. */
export function imagesPerThread(work: number): number {
  return Math.max(1, Math.ceil((4 * PARALLEL_MIN_WORK) / Math.max(work, 1)));
}

/** Epilogue codes of gemm and conv_fwd_short in native/kernels.c. */
export const ACTIVATION_CODES = { linear: 0, relu: 1, silu: 2 } as const;

/** Below this many FLOPs a product stays on one thread (~1 ms of gemm per thread by default). */
const PARALLEL_MIN_FLOPS = 96 * PARALLEL_MIN_WORK;

/**
 * out[M, N] = a[M, K] × b[K, N] (+ bias, then the activation) in native gemm, written with `outShape`. On the
 * threaded backend a big product is split between threads by rows, or by columns when it has few rows.
 */
export function nativeGemm(backend: BackendWasm, a: tf.TensorInfo, b: tf.TensorInfo, M: number, K: number, N: number, outShape: number[], options: GemmOptions = {}): tf.TensorInfo {
  const { transA = false, transB = false, bias, activation = 'linear' } = options;
  const out = backend.makeOutput(outShape, 'float32');
  const pool = 2 * M * K * N >= PARALLEL_MIN_FLOPS ? nativePool(backend) : undefined;
  const threads = pool?.threads ?? 1;
  const byRows = threads === 1 || M >= 16 * threads || N < 16 * threads;
  const ranges = threads === 1 ? [[0, M] as [number, number]] : byRows ? splitRange(M, threads, 4, 4) : splitRange(N, threads, 8, 8);
  const panels = ranges.map(() => backend.makeOutput([GEMM_PANEL_FLOATS], 'float32'));
  const [lda, ldb, ldc] = [transA ? M : K, transB ? K : N, N];
  const [pa, pb, pc, pbias] = [ptr(backend, a), ptr(backend, b), ptr(backend, out), bias ? ptr(backend, bias) : 0];
  const calls: NativeCall[] = ranges.map(([lo, hi], i) => {
    const [aOff, bOff, cOff, biasOff] = byRows ? [lo * (transA ? 1 : lda), 0, lo * ldc, 0] : [0, lo * (transB ? ldb : 1), lo, lo];
    const [m, n] = byRows ? [hi - lo, N] : [M, hi - lo];
    return ['gemm', [pa + 4 * aOff, pb + 4 * bOff, pc + 4 * cOff, m, K, n, transA ? 1 : 0, transB ? 1 : 0, lda, ldb, ldc, pbias && pbias + 4 * biasOff, ACTIVATION_CODES[activation], ptr(backend, panels[i]!)]];
  });
  runNative(backend, pool, calls);
  for (const panel of panels) backend.disposeData(panel.dataId);
  return out;
}

/** [..., r, c] → [..., c, r] in a new buffer, natively (`batch` matrices). */
export function transposed(backend: BackendWasm, t: tf.TensorInfo, batch = 1): tf.TensorInfo {
  const [r, c] = t.shape.slice(-2) as [number, number];
  const out = backend.makeOutput([...t.shape.slice(0, -2), c, r], 'float32');
  nativeKernels(backend).transpose2d(ptr(backend, t), ptr(backend, out), r, c, batch);
  return out;
}

/**
 * out[1, M, N] = a[1, M, K] × b, b being [1, K, N] or, with transB, [1, N, K]: native gemm where it wins, else
 * the stock BatchMatMul untransposed (XNNPACK's fast path; its transposed paths are 10–20× slower on wasm).
 */
export function matMul(backend: BackendWasm, a: tf.TensorInfo, b: tf.TensorInfo, batchMatMul: tf.KernelFunc, transB = false): tf.TensorInfo {
  const [, M, K] = a.shape as [number, number, number];
  const N = transB ? b.shape[1]! : b.shape[2]!;
  if (nativeGemmWins(M)) return nativeGemm(backend, a, b, M, K, N, [1, M, N], { transB });
  const plainB = transB ? transposed(backend, b) : b;
  const out = batchMatMul({ inputs: { a, b: plainB }, backend, attrs: { transposeA: false, transposeB: false } }) as tf.TensorInfo;
  if (plainB !== b) backend.disposeData(plainB.dataId);
  return out;
}

/** The same data seen with another shape (no copy, no reference taken: only for kernel-internal use). */
export function view(t: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}
