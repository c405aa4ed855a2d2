#!/usr/bin/env node
// Compiles native/kernels.c to two wasm modules, one importing a plain memory (tfjs' SIMD build) and one a
// shared memory (its threaded build), with Debian's clang/lld (apt-get install clang lld). Where clang is
// absent the committed binaries in native/ are used as they are; CI checks that they match a fresh build.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const common = ['--target=wasm32', '-O3', '-msimd128', '-mbulk-memory', '-ffast-math', '-fno-math-errno', '-nostdlib', '-Wl,--no-entry', '-Wl,--import-memory', '-Wl,--strip-all'];
const variants = {
  'kernels.wasm': [],
  'kernels-shared.wasm': ['-matomics', '-Wl,--shared-memory', '-Wl,--max-memory=4294967296'],
};
let clang = true;
try {
  execFileSync('clang', ['--version'], { stdio: 'ignore' });
} catch {
  clang = false;
  console.warn('build-wasm: clang not found, using the committed native/*.wasm (apt-get install clang lld to rebuild)');
}
for (const [name, flags] of Object.entries(variants)) {
  const committed = join(here, name);
  if (clang) {
    execFileSync('clang', [...common, ...flags, '-o', committed, join(here, 'kernels.c')], { stdio: 'inherit' });
    if (process.env.CI && process.env.YOLO_TS_CHECK_WASM) {
      // CI rebuilt the binaries in place: git must see no change, or the committed ones are stale.
      execFileSync('git', ['diff', '--exit-code', '--', committed], { stdio: 'inherit' });
    }
  }
  readFileSync(committed); // fails the build if a binary is missing
}
