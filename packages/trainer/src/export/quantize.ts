/**
 * How `half` and `int8` store a weight, shared by the tfjs and ONNX writers so both formats hold the same numbers.
 * int8 is symmetric per tensor (w ≈ q·scale, q in −127…127): tfjs' weight quantization is per tensor, and a zero
 * weight stays exactly zero.
 */

export type Precision = 'fp32' | 'fp16' | 'int8';

export interface Int8Weight {
  values: Int8Array;
  scale: number;
}

export function quantizeInt8(data: Float32Array): Int8Weight {
  let max = 0;
  for (const v of data) max = Math.max(max, Math.abs(v));
  const scale = max > 0 ? max / 127 : 1;
  return { values: Int8Array.from(data, (v) => Math.round(v / scale)), scale };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 half precision, round to nearest even, with subnormals, infinities and NaN. */
export function toFloat16(data: Float32Array): Uint16Array {
  return Uint16Array.from(data, (v) => {
    f32[0] = v;
    const x = u32[0]!;
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    const mant = x & 0x7fffff;
    if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
    const e = exp - 127 + 15;
    if (e >= 0x1f) return sign | 0x7c00;
    if (e <= 0) {
      if (e < -10) return sign;
      const m = mant | 0x800000;
      const shift = 14 - e;
      const half = m >>> shift;
      const rest = m & ((1 << shift) - 1);
      const mid = 1 << (shift - 1);
      return sign | (half + (rest > mid || (rest === mid && half & 1) ? 1 : 0));
    }
    const half = (e << 10) | (mant >>> 13);
    const rest = mant & 0x1fff;
    return sign | (half + (rest > 0x1000 || (rest === 0x1000 && half & 1) ? 1 : 0));
  });
}
