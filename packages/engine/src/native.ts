import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { createNativePool, moduleBytes } from './native-host.js';
import type { NativePool } from './native-pool.js';

/** The exports of native/kernels.c; pointers are byte offsets into tfjs' wasm heap. */
export interface NativeKernels {
  im2col(x: number, cols: number, n: number, H: number, W: number, ci: number, oh: number, ow: number, kh: number, kw: number, sh: number, sw: number, top: number, left: number): void;
  im2col_t(x: number, colsT: number, n: number, H: number, W: number, ci: number, oh: number, ow: number, kh: number, kw: number, sh: number, sw: number, top: number, left: number): void;
  conv_dw_short(x: number, dy: number, dw: number, n: number, H: number, W: number, ci: number, oh: number, ow: number, co: number, kh: number, kw: number, sh: number, sw: number, top: number, left: number): void;
  conv_fwd_short(x: number, w: number, bias: number, out: number, n: number, H: number, W: number, ci: number, oh: number, ow: number, co: number, kh: number, kw: number, sh: number, sw: number, top: number, left: number, act: number): void;
  depthwise_grads(x: number, w: number, dy: number, dx: number, dw: number, n: number, H: number, W: number, ci: number, oh: number, ow: number, mult: number, kh: number, kw: number, sh: number, sw: number, dh: number, dwl: number, top: number, left: number): void;
  col2im(cols: number, dx: number, n: number, H: number, W: number, ci: number, oh: number, ow: number, kh: number, kw: number, sh: number, sw: number, top: number, left: number): void;
  transpose2d(src: number, dst: number, rows: number, cols: number, batch: number): void;
  maxpool2x2_grad(x: number, dy: number, dx: number, n: number, H: number, W: number, C: number, oh: number, ow: number): void;
  maxpool_grad(x: number, dy: number, dx: number, n: number, H: number, W: number, C: number, oh: number, ow: number, fh: number, fw: number, sh: number, sw: number, top: number, left: number): void;
  reduce_rows(x: number, out: number, rows: number, inner: number, scale: number, acc: number): void;
  bn_stats(x: number, rows: number, C: number, eps: number, mean: number, invstd: number, acc: number): void;
  bn_act_forward(x: number, y: number, rows: number, C: number, mean: number, invstd: number, gamma: number, beta: number, act: number): void;
  adam_update(w: number, g: number, m: number, v: number, wOut: number, mOut: number, vOut: number, n: number, lr: number, beta1: number, beta2: number, eps: number, bc1: number, bc2: number, decay: number): void;
  ema_update(ema: number, w: number, out: number, n: number, d: number): void;
  conv_fwd_gemm(x: number, w: number, bias: number, out: number, n: number, H: number, W: number, ci: number, oh: number, ow: number, co: number, kh: number, kw: number, sh: number, sw: number, top: number, left: number, act: number, cols: number, colsRows: number, panel: number, wtaps: number, tmp: number): void;
  silu_inplace(x: number, n: number): void;
  slice4d(x: number, out: number, d1: number, d2: number, d3: number, b0: number, b1: number, b2: number, b3: number, s0: number, s1: number, s2: number, s3: number): void;
  copy_rows(src: number, dst: number, rows: number, cols: number, dstCols: number, offset: number): void;
  gemm(a: number, b: number, c: number, M: number, K: number, N: number, transA: number, transB: number, lda: number, ldb: number, ldc: number, bias: number, act: number, panel: number): void;
  bn_act_backward(dy: number, x: number, dx: number, rows: number, C: number, mean: number, invstd: number, gamma: number, beta: number, act: number, dgamma: number, dbeta: number, acc: number): void;
  bn_stats_range(x: number, rows: number, C: number, c0: number, c1: number, eps: number, mean: number, invstd: number, acc: number): void;
  bn_act_backward_reduce(dy: number, x: number, dx: number, rows: number, C: number, c0: number, c1: number, mean: number, invstd: number, gamma: number, beta: number, act: number, dgamma: number, dbeta: number, acc: number): void;
  bn_act_backward_apply(x: number, dx: number, rows: number, C: number, mean: number, invstd: number, gamma: number, dgamma: number, dbeta: number, total: number): void;
  bn_invstd(variance: number, invstd: number, C: number, eps: number): void;
  bn_fold(w: number, wOut: number, bOut: number, K: number, co: number, gamma: number, beta: number, mean: number, variance: number, eps: number): void;
  add2(a: number, b: number, out: number, n: number): void;
  scale_shift(x: number, out: number, n: number, scale: number, offset: number): void;
  zero_fill(dst: number, n: number): void;
  move_cols(src: number, srcCols: number, srcOff: number, dst: number, dstCols: number, dstOff: number, rows: number, cols: number, acc: number): void;
  relu_backward(dy: number, y: number, dz: number, n: number): void;
  gap_forward(x: number, y: number, n: number, P: number, C: number): void;
  gap_backward(dy: number, dx: number, n: number, P: number, C: number, acc: number): void;
  maxpool2x2_forward(x: number, y: number, n: number, H: number, W: number, C: number, oh: number, ow: number): void;
  depthwise_forward(x: number, w: number, out: number, n: number, H: number, W: number, ci: number, oh: number, ow: number, mult: number, kh: number, kw: number, sh: number, sw: number, top: number, left: number): void;
  bn_moving_update(mean: number, invstd: number, movingMean: number, movingVar: number, C: number, momentum: number, eps: number): void;
  softmax_xent_grad(logits: number, labels: number, dlogits: number, sums: number, n: number, nc: number, smoothing: number): void;
  attention_forward(qkv: number, out: number, vOut: number, attn: number, n: number, N: number, heads: number, kd: number, hd: number, scale: number): void;
  attention_backward(qkv: number, attn: number, dOut: number, dV: number, dqkv: number, scratch: number, n: number, N: number, heads: number, kd: number, hd: number, scale: number): void;
}

type EmscriptenModule = { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } };

const instances = new WeakMap<object, NativeKernels>();
const pools = new WeakMap<object, NativePool | null>();

/**
 * The native kernels bound to `backend`'s heap, instantiated once per backend. The threaded tfjs build has a
 * shared memory, which only a module declaring a shared import can use: hence two builds of one source.
 */
export function nativeKernels(backend: BackendWasm): NativeKernels {
  const module = backend.wasm as unknown as EmscriptenModule;
  let kernels = instances.get(module);
  if (!kernels) {
    const { memory, shared } = heapOf(module);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes(shared)), { env: { memory } });
    kernels = instance.exports as unknown as NativeKernels;
    instances.set(module, kernels);
  }
  return kernels;
}

/**
 * Helper threads for the native kernels of `backend`, one fewer than its wasm threads (the caller is one), created
 * on first use; undefined where the heap is not shared or the backend runs one thread.
 */
export function nativePool(backend: BackendWasm): NativePool | undefined {
  const module = backend.wasm as unknown as EmscriptenModule & { tfjs: { getThreadsCount(): number } };
  let pool = pools.get(module);
  if (pool === undefined) {
    const { memory, shared } = heapOf(module);
    const threads = module.tfjs.getThreadsCount();
    pool = shared && threads > 1 ? createNativePool(nativeKernels(backend), memory, moduleBytes(true), threads - 1) : null;
    pools.set(module, pool);
  }
  return pool ?? undefined;
}

function heapOf(module: EmscriptenModule): { memory: WebAssembly.Memory; shared: boolean } {
  const memory = module.wasmMemory ?? module.asm?.memory;
  if (!memory) throw new Error('cannot find the wasm memory of the tfjs wasm backend');
  return { memory, shared: typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer };
}

/** Byte offset of a tensor's data in the heap. */
export function ptr(backend: BackendWasm, t: tf.TensorInfo): number {
  return backend.getMemoryOffset(t.dataId);
}

/** Runs `fn` with a temporary heap buffer of `bytes` (8-byte aligned, for float64 accumulators). */
export function withScratch<T>(backend: BackendWasm, bytes: number, fn: (address: number) => T): T {
  const scratch = backend.makeOutput([Math.ceil(bytes / 4)], 'float32');
  try {
    return fn(ptr(backend, scratch));
  } finally {
    backend.disposeData(scratch.dataId);
  }
}

/** The heap's current buffer, for short-lived views (take a new one after any allocation: the heap can grow). */
export function heapBuffer(backend: BackendWasm): ArrayBufferLike {
  return heapOf(backend.wasm as unknown as EmscriptenModule).memory.buffer;
}
