import type { NativeKernels } from './native.js';

/** A kernel call: the export's name and its arguments. */
export type NativeCall = [name: keyof NativeKernels & string, args: number[]];

/**
 * Splits `count` items (rows, images, elements) into at most `parts` contiguous ranges of whole multiples of
 * `align`, none smaller than `min` items: [start, end) pairs, fewer when there is too little work.
 */
export function splitRange(count: number, parts: number, min: number, align = 1): [number, number][] {
  const n = Math.max(1, Math.min(parts, Math.floor(count / Math.max(min, 1))));
  const ranges: [number, number][] = [];
  let start = 0;
  for (let i = 1; i <= n; i++) {
    const end = i === n ? count : Math.min(count, Math.round((count * i) / n / align) * align);
    if (end > start) ranges.push([start, end]);
    start = Math.max(start, end);
  }
  return ranges;
}
