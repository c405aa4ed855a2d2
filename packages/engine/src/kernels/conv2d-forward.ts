import * as tf from '@tensorflow/tfjs';
import { nativePool, ptr } from '../native.js';
import { splitRange, type NativeCall } from '../work-split.js';
import { ACTIVATION_CODES, GEMM_PANEL_FLOATS, PARALLEL_MIN_WORK, imagesPerThread, isPointwise, nativeGemm, nativeGemmWins, runNative, size, splitNative, type WasmKernel } from './wasm-util.js';

/** Patch floats each thread's im2col holds at once (1 MB: L2-sized, so gemm reads them from cache). */
const COLS_SCRATCH_FLOATS = 1 << 18;

/** Patches up to this length (kh·kw·ci) take conv_fwd_short; longer ones are a matmul's job. */
const SHORT_PATCH = 32;

/**
 * Conv2D and FusedConv2D (bias + linear/ReLU, and SiLU, which only these kernels know), NHWC, undilated, in
 * native code where it beats XNNPACK's conv (SiLU after XNNPACK's conv otherwise):
 *   - a short patch (first layers on grayscale or RGB images): conv_fwd_short, 16 output channels per pass;
 *   - few output positions, or one thread (replica workers): native gemm on x itself for a 1×1 stride-1 conv,
 *     else on its im2col patches. XNNPACK would repack the filter, new each training step, on every call.
 * Everything else goes to the stock kernel.
 */
export function makeConv2DForward(kernelName: 'Conv2D' | 'FusedConv2D', stock: tf.KernelFunc): tf.KernelConfig {
  const kernel: WasmKernel = (args) => {
    const { backend } = args;
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const attrs = args.attrs as unknown as tf.FusedConv2DAttrs;
    const activation = (attrs.activation ?? 'linear') as string;
    const dilated = tf.backend_util.tupleValuesAreOne(attrs.dilations) === false;
    const fusable = activation in ACTIVATION_CODES;
    if (dilated || attrs.dataFormat === 'NCHW' || !fusable || preluActivationWeights || (bias && size(bias.shape) !== filter!.shape[3])) {
      return stock(args as never) as tf.TensorInfo;
    }
    const info = tf.backend_util.computeConv2DInfo(x!.shape as [number, number, number, number], filter!.shape as [number, number, number, number], attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
    const { batchSize: n, inHeight: H, inWidth: W, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
    const { top, left } = info.padInfo;
    const K = kh * kw * ci;
    const M = n * oh * ow;
    const act = activation as keyof typeof ACTIVATION_CODES;
    const outShape = [n, oh, ow, co];
    if (K <= SHORT_PATCH && co % 16 === 0) {
      const out = backend.makeOutput(outShape, 'float32');
      const [px, pout] = [ptr(backend, x!), ptr(backend, out)];
      splitNative(backend, 'conv_fwd_short', n, imagesPerThread(oh * ow * co * K), (lo, hi) =>
        [px + 4 * lo * H * W * ci, ptr(backend, filter!), bias ? ptr(backend, bias) : 0, pout + 4 * lo * oh * ow * co, hi - lo, H, W, ci, oh, ow, co, kh, kw, sh, sw, top, left, ACTIVATION_CODES[act]]);
      return out;
    }
    if (!nativeGemmWins(M)) {
      if (act !== 'silu') return stock(args as never) as tf.TensorInfo;
      // SiLU (convBiasAct's inference blocks) is ours alone: XNNPACK convolves (its packed filter cached across
      // calls), then one threaded pass applies it.
      const out = stock({ ...args, attrs: { ...args.attrs, activation: 'linear' } } as never) as tf.TensorInfo;
      const p = ptr(backend, out);
      splitNative(backend, 'silu_inplace', size(out.shape), PARALLEL_MIN_WORK, (lo, hi) => [p + 4 * lo, hi - lo]);
      return out;
    }
    if (isPointwise(info)) {
      return nativeGemm(backend, x!, filter!, M, K, co, outShape, { bias, activation: act });
    }
    // Each thread takes whole images and runs im2col + gemm on a few at a time (conv_fwd_gemm).
    const out = backend.makeOutput(outShape, 'float32');
    const colsRows = Math.max(oh * ow, Math.floor(COLS_SCRATCH_FLOATS / K));
    const pool = nativePool(backend);
    const ranges = pool ? splitRange(n, pool.threads, imagesPerThread(oh * ow * co * K)) : [[0, n] as [number, number]];
    // Per thread: patches, gemm panel, and the filter rows and outputs of conv_fwd_gemm's padding-free groups.
    const scratch = ranges.map(() => [colsRows * K, GEMM_PANEL_FLOATS, K * co, colsRows * co].map((floats) => backend.makeOutput([floats], 'float32')));
    const [px, pw, pb, pout] = [ptr(backend, x!), ptr(backend, filter!), bias ? ptr(backend, bias) : 0, ptr(backend, out)];
    const calls: NativeCall[] = ranges.map(([lo, hi], i) => ['conv_fwd_gemm', [px + 4 * lo * H * W * ci, pw, pb, pout + 4 * lo * oh * ow * co, hi - lo, H, W, ci, oh, ow, co, kh, kw, sh, sw, top, left, ACTIVATION_CODES[act], ptr(backend, scratch[i]![0]!), colsRows, ptr(backend, scratch[i]![1]!), ptr(backend, scratch[i]![2]!), ptr(backend, scratch[i]![3]!)]]);
    runNative(backend, pool, calls);
    for (const buffers of scratch) for (const b of buffers) backend.disposeData(b.dataId);
    return out;
  };
  return { kernelName, backendName: 'wasm', kernelFunc: kernel as unknown as tf.KernelFunc };
}
