import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import type { NativeKernels } from './native.js';
import { NativePool } from './native-pool.js';
import { relaxedSimdValidates } from './relaxed-simd.js';

/**
 * How the native kernels reach their bytes and helper threads in Node; native-host.browser.ts is the same for a
 * page (package.json's `browser` field swaps the file when bundling).
 */

/** native/ holds the built modules; src/ and dist/ both sit one level below the package root. */
const nativeDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'native');
const bytesByFile = new Map<string, Uint8Array<ArrayBuffer>>();
let relaxed: boolean | undefined;

/** Nothing to fetch in Node: the bytes are read from native/ when first needed. */
export async function preloadNativeModules(): Promise<void> {}

/**
 * Whether the relaxed-SIMD kernels run here. Node 20's V8 (11.3) validates them only under
 * --experimental-wasm-relaxed-simd, a process-wide flag that also reaches worker threads started later; it is
 * set only where the probe fails without it, since newer V8s, which ship the feature, dropped the flag.
 * `YOLO_TS_RELAXED_SIMD=0` keeps the SIMD128 kernels (to compare the two).
 */
export function relaxedSimd(): boolean {
  if (relaxed === undefined) {
    relaxed = process.env.YOLO_TS_RELAXED_SIMD !== '0';
    if (relaxed && !relaxedSimdValidates()) {
      setFlagsFromString('--experimental-wasm-relaxed-simd');
      relaxed = relaxedSimdValidates();
    }
  }
  return relaxed;
}

/** The module's bytes, read once per variant (the main thread and the helper pool instantiate the same). */
export function moduleBytes(shared: boolean, relaxedVariant = relaxedSimd()): Uint8Array<ArrayBuffer> {
  const file = `kernels${shared ? '-shared' : ''}${relaxedVariant ? '-relaxed' : ''}.wasm`;
  let bytes = bytesByFile.get(file);
  if (!bytes) {
    bytes = new Uint8Array(readFileSync(join(nativeDir, file)));
    bytesByFile.set(file, bytes);
  }
  return bytes;
}

/** `helpers` worker threads running the kernels on the shared heap `memory`. */
export function createNativePool(kernels: NativeKernels, memory: WebAssembly.Memory, bytes: Uint8Array, helpers: number): NativePool | null {
  return new NativePool(kernels, memory, bytes, helpers);
}
