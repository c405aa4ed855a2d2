import * as tf from '@tensorflow/tfjs';
import { f32, matMul, view, type WasmKernel } from './wasm-util.js';

/**
 * dW of a 2-D convolution (NHWC) on wasm, which tfjs 4.22 does not provide.
 * dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·s−pad+kh, ow·s−pad+kw, ci] · dy[n,oh,ow,co]: the patches of x are
 * written transposed (K = kh·kw·ci rows × M = n·oh·ow columns) straight into the wasm heap, then one untransposed
 * XNNPACK matmul [K, M] × [M, Co] gives dW in its final layout. Transposed matmuls are 10–20× slower on wasm.
 */
export function makeConv2DBackpropFilter(batchMatMul: tf.KernelFunc): tf.KernelConfig {
  const kernel: WasmKernel = ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    if (dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter on wasm supports NHWC only');
    const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape as [number, number, number, number], strides, 1, pad, dimRoundingMode);
    const { batchSize: n, inHeight: H, inWidth: W, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    const K = kh * kw * ci;
    const M = n * oh * ow;

    const cols = backend.makeOutput([1, K, M], 'float32');
    const col = f32(backend, cols);
    const src = f32(backend, x);
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        for (let c = 0; c < ci; c++) {
          const row = ((i * kw + j) * ci + c) * M;
          let m = 0;
          for (let b = 0; b < n; b++) {
            for (let y = 0; y < oh; y++) {
              const ih = y * sh - top + i;
              if (ih < 0 || ih >= H) {
                col.fill(0, row + m, row + m + ow);
                m += ow;
                continue;
              }
              const rowIn = (b * H + ih) * W * ci + c;
              for (let xo = 0; xo < ow; xo++, m++) {
                const iw = xo * sw - left + j;
                col[row + m] = iw >= 0 && iw < W ? src[rowIn + iw * ci]! : 0;
              }
            }
          }
        }
      }
    }
    const out = matMul(backend, cols, view(dy, [1, M, co]), batchMatMul);
    backend.disposeData(cols.dataId);
    return view(out, [...filterShape]);
  };
  return { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: kernel as unknown as tf.KernelFunc };
}
