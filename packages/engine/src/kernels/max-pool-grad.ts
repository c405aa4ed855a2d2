import * as tf from '@tensorflow/tfjs';
import { f32, type WasmKernel } from './wasm-util.js';

/**
 * MaxPool backward (NHWC): each dy goes to the first maximum of its window (TensorFlow's tie rule), found by
 * scanning the window with all channels of a position at once, so every read is contiguous.
 */
const maxPoolGrad: WasmKernel = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize: n, inHeight: H, inWidth: W, inChannels: C, outHeight: oh, outWidth: ow, filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const dx = backend.makeOutput([...input.shape], 'float32');
  const out = f32(backend, dx);
  const x = f32(backend, input);
  const g = f32(backend, dy);
  out.fill(0);
  const best = new Float32Array(C);
  const where = new Int32Array(C);
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++, o += C) {
        best.fill(-Infinity);
        where.fill(-1);
        for (let i = 0; i < fh; i++) {
          const ih = y * sh - top + i;
          if (ih < 0 || ih >= H) continue;
          for (let j = 0; j < fw; j++) {
            const iw = xo * sw - left + j;
            if (iw < 0 || iw >= W) continue;
            const base = ((b * H + ih) * W + iw) * C;
            for (let c = 0; c < C; c++) {
              const v = x[base + c]!;
              if (v > best[c]! || where[c] === -1) {
                best[c] = v;
                where[c] = base + c;
              }
            }
          }
        }
        for (let c = 0; c < C; c++) if (where[c]! >= 0) out[where[c]!] += g[o + c]!;
      }
    }
  }
  return dx;
};

export const maxPoolGradConfig: tf.KernelConfig = { kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: maxPoolGrad as unknown as tf.KernelFunc };
