import type { Slot } from './arena.js';
import { Parallel } from './parallel.js';

/** C = A·B (+ bias, activation) as native gemm, split between threads by rows of C, or by columns when it has few. */
export function planGemm(par: Parallel, panels: Slot[], a: number, b: number, c: number, M: number, K: number, N: number, transA: number, transB: number, lda: number, ldb: number, ldc: number, bias = 0, act = 0): void {
  if (M >= 16 * par.threads || N < 16 * par.threads) {
    par.split('gemm', M, Parallel.min((K * N) / 8), (lo, hi, t) => [a + 4 * lo * (transA ? 1 : lda), b, c + 4 * lo * ldc, hi - lo, K, N, transA, transB, lda, ldb, ldc, bias, act, panels[t]!.address], 4);
  } else {
    par.split('gemm', N, Parallel.min((M * K) / 8), (lo, hi, t) => [a, b + 4 * lo * (transB ? ldb : 1), c + 4 * lo, M, K, hi - lo, transA, transB, lda, ldb, ldc, bias && bias + 4 * lo, act, panels[t]!.address], 8);
  }
}
