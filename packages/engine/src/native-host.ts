import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NativeKernels } from './native.js';
import { NativePool } from './native-pool.js';

/**
 * How the native kernels reach their bytes and helper threads in Node; native-host.browser.ts is the same for a
 * page (package.json's `browser` field swaps the file when bundling).
 */

/** native/ holds the built modules; src/ and dist/ both sit one level below the package root. */
const nativeDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'native');
const bytesByVariant = new Map<boolean, Uint8Array<ArrayBuffer>>();

/** Nothing to fetch in Node: the bytes are read from native/ when first needed. */
export async function preloadNativeModules(): Promise<void> {}

/** The module's bytes, read once per variant (the main thread and the helper pool instantiate the same). */
export function moduleBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  let bytes = bytesByVariant.get(shared);
  if (!bytes) {
    bytes = new Uint8Array(readFileSync(join(nativeDir, shared ? 'kernels-shared.wasm' : 'kernels.wasm')));
    bytesByVariant.set(shared, bytes);
  }
  return bytes;
}

/** `helpers` worker threads running the kernels on the shared heap `memory`. */
export function createNativePool(kernels: NativeKernels, memory: WebAssembly.Memory, bytes: Uint8Array, helpers: number): NativePool | null {
  return new NativePool(kernels, memory, bytes, helpers);
}
