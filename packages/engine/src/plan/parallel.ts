import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeKernels, nativePool, type NativeKernels } from '../native.js';
import type { NativePool } from '../native-pool.js';
import { splitRange, type NativeCall } from '../work-split.js';

/**
 * The least work per thread worth a hand-over inside a compiled step, in floats touched (elementwise kernels) or
 * multiply-adds / 8 (gemm). The pool's helpers spin between the step's calls, yet a hand-over still costs ~10 µs
 * with tfjs loaded (measured on 2 cores: 4 µs for the round trip, the rest in posting); yolo26n-cls steps at
 * batch 16 and 64 ran fastest from 64k to 256k. YOLO_TS_PLAN_MIN_WORK overrides it.
 */
export const PLAN_MIN_WORK = Number(process.env.YOLO_TS_PLAN_MIN_WORK) || 1 << 16;

/** How a compiled step spreads a kernel over the native pool's threads (all on `k` where there is no pool). */
export class Parallel {
  readonly threads: number;

  constructor(
    private readonly k: NativeKernels,
    private readonly pool?: NativePool,
  ) {
    this.threads = pool?.threads ?? 1;
  }

  /**
   * Runs `name` over items [0, count), split into at most `threads` ranges when each gets at least `min` items
   * (`align` keeps ranges whole multiples); `argsFor(lo, hi, t)` gives thread t's call.
   */
  split(name: NativeCall[0], count: number, min: number, argsFor: (lo: number, hi: number, t: number) => number[], align = 1): void {
    if (count <= 0) return;
    const ranges = this.pool && count >= 2 * min ? splitRange(count, this.threads, min, align) : [[0, count] as [number, number]];
    if (ranges.length === 1) {
      (this.k[name] as (...a: number[]) => void)(...argsFor(0, count, 0));
      return;
    }
    this.pool!.run(ranges.map(([lo, hi], t) => [name, argsFor(lo, hi, t)]));
  }

  /** The fewest items per thread for kernels costing `work` per item. */
  static min(work: number): number {
    return Math.max(1, Math.ceil(PLAN_MIN_WORK / Math.max(work, 1)));
  }
}

const cache = new WeakMap<BackendWasm, Parallel>();

/** The Parallel of `backend`, made once. */
export function parallelOf(backend: BackendWasm): Parallel {
  let par = cache.get(backend);
  if (!par) cache.set(backend, (par = new Parallel(nativeKernels(backend), nativePool(backend))));
  return par;
}
