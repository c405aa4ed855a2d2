import { defineConfig } from 'vite';

// Threaded wasm needs SharedArrayBuffer, which a page gets only when cross-origin isolated.
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  server: { headers: isolation },
  preview: { headers: isolation },
  worker: { format: 'es' },
  // tfjs-backend-wasm finds its .wasm files through setWasmPaths (src/wasm-paths.ts), not through the pre-bundler.
  optimizeDeps: { exclude: ['@tensorflow/tfjs-backend-wasm'] },
  // Not minified: tfjs-backend-wasm hands its threaded module to its pthread workers as `factory.toString()`, and a
  // minifier's renamed free variables are undefined there ("e is not defined" in every worker).
  build: { target: 'es2022', chunkSizeWarningLimit: 8192, minify: false },
});
