#!/usr/bin/env node
// Compiles native/kernels.c to four wasm modules: one importing a plain memory (tfjs' SIMD build) and one a
// shared memory (its threaded build), each in SIMD128 and in relaxed SIMD (fused multiply-add, picked at run
// time where the runtime has it: native-host.ts). Debian's clang-16 and lld-16 build all four (clang 14 has no
// relaxed-SIMD builtins); where clang-16 is absent the committed binaries in native/ are used as they are, and CI
// checks that they match a fresh build.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const CLANG = 'clang-16';
const common = ['--target=wasm32', '-O3', '-msimd128', '-mbulk-memory', '-ffast-math', '-fno-math-errno', '-nostdlib', '-Wl,--no-entry', '-Wl,--import-memory', '-Wl,--strip-all'];
const shared = ['-matomics', '-Wl,--shared-memory', '-Wl,--max-memory=4294967296'];
const variants = {
  'kernels.wasm': [],
  'kernels-shared.wasm': shared,
  'kernels-relaxed.wasm': ['-mrelaxed-simd'],
  'kernels-shared-relaxed.wasm': ['-mrelaxed-simd', ...shared],
};
let clang = true;
try {
  execFileSync(CLANG, ['--version'], { stdio: 'ignore' });
} catch {
  clang = false;
  console.warn(`build-wasm: ${CLANG} not found, using the committed native/*.wasm (apt-get install clang-16 lld-16 to rebuild)`);
}
for (const [name, flags] of Object.entries(variants)) {
  const committed = join(here, name);
  if (clang) {
    execFileSync(CLANG, [...common, ...flags, '-o', committed, join(here, 'kernels.c')], { stdio: 'inherit' });
    if (process.env.CI && process.env.YOLO_TS_CHECK_WASM) {
      // CI rebuilt the binaries in place: git must see no change, or the committed ones are stale.
      execFileSync('git', ['diff', '--exit-code', '--', committed], { stdio: 'inherit' });
    }
  }
  readFileSync(committed); // fails the build if a binary is missing
}
