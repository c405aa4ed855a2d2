import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeKernels, ptr } from '../native.js';
import { size, type WasmKernel } from './wasm-util.js';

/**
 * Slice, SplitV and Concat of float32 tensors up to rank 4 in native loops. tfjs 4.22's wasm kernels copy every
 * innermost run from JavaScript (a subarray and a set per row): C3k2's channel split and concat at batch 1000
 * ran 50k such copies per input.
 */
function nativeSlice(backend: BackendWasm, x: tf.TensorInfo, begin: number[], sizes: number[]): tf.TensorInfo {
  const out = backend.makeOutput(sizes, 'float32');
  const pad = 4 - x.shape.length;
  const [, d1, d2, d3] = [...Array<number>(pad).fill(1), ...x.shape];
  const [b0, b1, b2, b3] = [...Array<number>(pad).fill(0), ...begin];
  const [s0, s1, s2, s3] = [...Array<number>(pad).fill(1), ...sizes];
  nativeKernels(backend).slice4d(ptr(backend, x), ptr(backend, out), d1!, d2!, d3!, b0!, b1!, b2!, b3!, s0!, s1!, s2!, s3!);
  return out;
}

const fits = (x: tf.TensorInfo) => x.dtype === 'float32' && x.shape.length >= 1 && x.shape.length <= 4;

export function makeSlice(stock: tf.KernelFunc): tf.KernelConfig {
  const kernel: WasmKernel = (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { begin, size: sizeAttr } = args.attrs as unknown as tf.SliceAttrs;
    if (!fits(x)) return stock(args as never) as tf.TensorInfo;
    const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, sizeAttr);
    if (size(s) === 0) return stock(args as never) as tf.TensorInfo;
    return nativeSlice(args.backend, x, b, s);
  };
  return { kernelName: 'Slice', backendName: 'wasm', kernelFunc: kernel as unknown as tf.KernelFunc };
}

export function makeSplitV(stock: tf.KernelFunc): tf.KernelConfig {
  const kernel: WasmKernel = (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs;
    if (!fits(x) || size(x.shape) === 0) return stock(args as never) as tf.TensorInfo;
    const a = tf.util.parseAxisParam(axis, x.shape)[0]!;
    const splits = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, a);
    const begin = x.shape.map(() => 0);
    return splits.map((s) => {
      const sizes = [...x.shape];
      sizes[a] = s;
      const piece = nativeSlice(args.backend, x, [...begin], sizes);
      begin[a]! += s;
      return piece;
    }) as unknown as tf.TensorInfo;
  };
  return { kernelName: 'SplitV', backendName: 'wasm', kernelFunc: kernel as unknown as tf.KernelFunc };
}

export function makeConcat(stock: tf.KernelFunc): tf.KernelConfig {
  const kernel: WasmKernel = (args) => {
    const inputs = (args.inputs as unknown as tf.TensorInfo[]).filter((t) => size(t.shape) > 0);
    if (inputs.length < 2 || !inputs.every((t) => t.dtype === 'float32')) return stock(args as never) as tf.TensorInfo;
    const { backend } = args;
    const a = tf.util.parseAxisParam((args.attrs as unknown as tf.ConcatAttrs).axis, inputs[0]!.shape)[0]!;
    const outShape = tf.backend_util.computeOutShape(inputs.map((t) => t.shape), a);
    const out = backend.makeOutput(outShape, 'float32');
    // Every input as [rows, inner]: rows = the dims before the axis, inner = the rest; they sit side by side.
    const rows = size(outShape.slice(0, a));
    const total = size(outShape.slice(a));
    let offset = 0;
    for (const t of inputs) {
      const inner = size(t.shape.slice(a));
      nativeKernels(backend).copy_rows(ptr(backend, t), ptr(backend, out), rows, inner, total, offset);
      offset += inner;
    }
    return out;
  };
  return { kernelName: 'Concat', backendName: 'wasm', kernelFunc: kernel as unknown as tf.KernelFunc };
}
