import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * dW of a 2-D convolution (NHWC) on wasm, which tfjs 4.22 does not provide.
 * dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·s−pad+kh·d, ow·s−pad+kw·d, ci] · dy[n,oh,ow,co]: the patches of x are
 * written transposed (K = kh·kw·ci rows × M = n·oh·ow columns) straight into the wasm heap, then one untransposed
 * XNNPACK matmul [K, M] × [M, Co] gives dW in its final layout. Transposed matmuls are 10–20× slower on wasm.
 */
function conv2DBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter on wasm supports NHWC only');
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const K = filterHeight * filterWidth * inChannels;
  const M = batchSize * outHeight * outWidth;

  const cols = backend.makeOutput([1, K, M], 'float32');
  const colsData = backend.typedArrayFromHeap(cols) as Float32Array;
  const xData = backend.typedArrayFromHeap(x) as Float32Array;
  for (let kh = 0; kh < filterHeight; kh++) {
    for (let kw = 0; kw < filterWidth; kw++) {
      for (let ci = 0; ci < inChannels; ci++) {
        const row = ((kh * filterWidth + kw) * inChannels + ci) * M;
        let m = 0;
        for (let n = 0; n < batchSize; n++) {
          const xBatch = n * inHeight * inWidth * inChannels;
          for (let oh = 0; oh < outHeight; oh++) {
            const ih = oh * strideHeight - padTop + kh;
            if (ih < 0 || ih >= inHeight) {
              colsData.fill(0, row + m, row + m + outWidth);
              m += outWidth;
              continue;
            }
            const xRow = xBatch + ih * inWidth * inChannels + ci;
            for (let ow = 0; ow < outWidth; ow++, m++) {
              const iw = ow * strideWidth - padLeft + kw;
              colsData[row + m] = iw >= 0 && iw < inWidth ? xData[xRow + iw * inChannels]! : 0;
            }
          }
        }
      }
    }
  }

  const matMul = tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc;
  const dy3d: tf.TensorInfo = { dataId: dy.dataId, shape: [1, M, outChannels], dtype: 'float32' };
  const out = matMul({ inputs: { a: cols, b: dy3d }, backend, attrs: { transposeA: false, transposeB: false } }) as tf.TensorInfo;
  backend.disposeData(cols.dataId);
  return { dataId: out.dataId, shape: [...filterShape], dtype: 'float32' };
}

export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc,
};
