import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { f32, matMul, type WasmKernel } from './wasm-util.js';

/**
 * dx of a 2-D convolution (NHWC) as one matmul and a col2im scatter: cols[M, K] = dy[M, Co] × Wᵀ[Co, K]
 * (M = n·oh·ow, K = kh·kw·ci), then each column block is added into the input positions it came from.
 * Every stride costs the same arithmetic as the forward conv: no zeros are inserted for stride 2, unlike tfjs'
 * naive loop (which wasm 4.22 ships) or the conv-of-flipped-filter formulation.
 */
export function makeConv2DBackpropInput(batchMatMul: tf.KernelFunc): tf.KernelConfig {
  const kernel: WasmKernel = ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    if (dataFormat === 'NCHW') throw new Error('Conv2DBackpropInput on wasm supports NHWC only');
    const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode);
    const { batchSize: n, inHeight: H, inWidth: W, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
    const K = kh * kw * ci;
    const M = n * oh * ow;

    const wt = backend.makeOutput([1, co, K], 'float32');
    {
      const w = f32(backend, filter);
      const t = f32(backend, wt);
      for (let k = 0; k < K; k++) for (let c = 0; c < co; c++) t[c * K + k] = w[k * co + c]!;
    }
    const cols = matMul(backend, { dataId: dy.dataId, shape: [1, M, co], dtype: 'float32' }, wt, batchMatMul);
    backend.disposeData(wt.dataId);
    const dx = backend.makeOutput([...inputShape], 'float32');
    const out = f32(backend, dx);
    const col = f32(backend, cols);
    out.fill(0);
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    let m = 0;
    for (let b = 0; b < n; b++) {
      for (let y = 0; y < oh; y++) {
        for (let x = 0; x < ow; x++, m++) {
          const rowBase = m * K;
          for (let i = 0; i < kh; i++) {
            const ih = y * sh - top + i;
            if (ih < 0 || ih >= H) continue;
            for (let j = 0; j < kw; j++) {
              const iw = x * sw - left + j;
              if (iw < 0 || iw >= W) continue;
              const dst = ((b * H + ih) * W + iw) * ci;
              const src = rowBase + (i * kw + j) * ci;
              for (let c = 0; c < ci; c++) out[dst + c] += col[src + c]!;
            }
          }
        }
      }
    }
    backend.disposeData(cols.dataId);
    return dx;
  };
  return { kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: kernel as unknown as tf.KernelFunc };
}
