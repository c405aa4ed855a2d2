/**
 * Relaxed SIMD gives wasm a fused multiply-add (f32x4.relaxed_madd): the kernels' matrix products run ~1.3× faster
 * with it (one instruction where SIMD128 needs a multiply and an add). Chromium ≥114 and Node ≥22 have it on;
 * Node 20's V8 has it behind a flag (native-host.ts turns it on).
 */

const v128Zero = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
const probeBody = [0x00, ...v128Zero, ...v128Zero, ...v128Zero, 0xfd, 0x85, 0x02, 0x0b];
/** The smallest module using it: `(func (result v128) (f32x4.relaxed_madd (v128.const 0) ×3))`. */
const RELAXED_SIMD_PROBE = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
  ...[0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b], // type section: () -> v128
  ...[0x03, 0x02, 0x01, 0x00], // function section: one function of that type
  ...[0x0a, probeBody.length + 2, 0x01, probeBody.length, ...probeBody],
]);

/** Whether this runtime, as it is configured now, validates relaxed-SIMD modules. */
export function relaxedSimdValidates(): boolean {
  return WebAssembly.validate(RELAXED_SIMD_PROBE);
}
