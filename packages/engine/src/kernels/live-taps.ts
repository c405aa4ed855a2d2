import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { f32, type WasmKernel } from './wasm-util.js';

/**
 * Convolutions on maps smaller than their kernel: on a 1×1 map a padded 3×3 kernel only ever touches its centre
 * tap, on 2×2 with stride 2 only four taps; the others multiply padding zeros. XNNPACK still packs and multiplies
 * the whole kernel, and packing a fresh kernel costs more than the multiply on such maps (yolo26n-cls at 28 px
 * runs its last stages on 2×2 and 1×1). These wrappers hand the inner kernel only the live taps, with the padding
 * moved to match: the same output, and for the filter gradient zeros where the dead taps were.
 */
interface Taps {
  /** First live tap and count, per axis. */
  y0: number;
  ny: number;
  x0: number;
  nx: number;
  /** Explicit padding for the live taps: [[0, 0], [top, bottom], [left, right], [0, 0]]. */
  pad: tf.backend_util.ExplicitPadding;
}

/** The contiguous range of taps along one axis that some output reads from inside the input, or undefined. */
function liveRange(inSize: number, outSize: number, k: number, stride: number, before: number): [number, number] | undefined {
  const live = Array.from({ length: k }, (_, t) => Array.from({ length: outSize }, (_, o) => o * stride - before + t).some((i) => i >= 0 && i < inSize));
  const first = live.indexOf(true);
  const last = live.lastIndexOf(true);
  if (first < 0 || live.slice(first, last + 1).includes(false)) return undefined;
  return [first, last - first + 1];
}

function liveTaps(info: tf.backend_util.Conv2DInfo): Taps | undefined {
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1 || info.dataFormat !== 'channelsLast') return undefined;
  const { inHeight: H, inWidth: W, outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const rows = liveRange(H, oh, kh, sh, info.padInfo.top);
  const cols = liveRange(W, ow, kw, sw, info.padInfo.left);
  if (!rows || !cols || (rows[1] === kh && cols[1] === kw)) return undefined;
  const [y0, ny] = rows;
  const [x0, nx] = cols;
  const top = info.padInfo.top - y0;
  const left = info.padInfo.left - x0;
  const bottom = (oh - 1) * sh + ny - H - top;
  const right = (ow - 1) * sw + nx - W - left;
  if (Math.min(top, left, bottom, right) < 0) return undefined;
  return { y0, ny, x0, nx, pad: [[0, 0], [top, bottom], [left, right], [0, 0]] };
}

/** Copies taps [y0, y0+ny) × [x0, x0+nx) of a [kh, kw, ci, co] filter out of `full` into `part`, or back in `into`. */
function copyTaps(backend: BackendWasm, full: tf.TensorInfo, part: tf.TensorInfo, taps: Taps, into: boolean): void {
  const [, kw, ci, co] = full.shape as number[];
  const block = ci! * co!;
  const [a, b] = [f32(backend, full), f32(backend, part)];
  for (let y = 0; y < taps.ny; y++) {
    for (let x = 0; x < taps.nx; x++) {
      const f = ((taps.y0 + y) * kw! + taps.x0 + x) * block;
      const p = (y * taps.nx + x) * block;
      if (into) a.set(b.subarray(p, p + block), f);
      else b.set(a.subarray(f, f + block), p);
    }
  }
}

function sliceFilter(backend: BackendWasm, filter: tf.TensorInfo, taps: Taps): tf.TensorInfo {
  const [, , ci, co] = filter.shape as number[];
  const part = backend.makeOutput([taps.ny, taps.nx, ci!, co!], 'float32');
  copyTaps(backend, filter, part, taps, false);
  return part;
}

type ConvAttrs = { strides: number | [number, number]; pad: tf.backend_util.ExplicitPadding | 'valid' | 'same' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
const shape4 = (s: readonly number[]) => s as [number, number, number, number];

type KernelArgs = Parameters<WasmKernel>[0];

/** `config`'s kernel with its `filter` input cut to the live taps (geometry from `infoOf`), padding moved to match. */
function withLiveFilterTaps(config: tf.KernelConfig, infoOf: (args: KernelArgs, filter: tf.TensorInfo) => tf.backend_util.Conv2DInfo | undefined): tf.KernelConfig {
  const inner = config.kernelFunc as unknown as WasmKernel;
  const kernel: WasmKernel = (args) => {
    const { filter } = args.inputs as { filter: tf.TensorInfo };
    const info = infoOf(args, filter);
    const taps = info && liveTaps(info);
    if (!taps) return inner(args);
    const part = sliceFilter(args.backend, filter, taps);
    try {
      return inner({ ...args, inputs: { ...args.inputs, filter: part }, attrs: { ...args.attrs, pad: taps.pad } as never });
    } finally {
      args.backend.disposeData(part.dataId);
    }
  };
  return { ...config, kernelFunc: kernel as unknown as tf.KernelFunc };
}

/** Conv2D / FusedConv2D (inputs x, filter, ...) with the live taps only. */
export function forwardWithLiveTaps(config: tf.KernelConfig): tf.KernelConfig {
  return withLiveFilterTaps(config, ({ inputs, attrs }, filter) => {
    const a = attrs as unknown as ConvAttrs & { dataFormat?: string; dilations?: number | [number, number] };
    const format = a.dataFormat === 'NCHW' ? 'channelsFirst' : 'channelsLast';
    return tf.backend_util.computeConv2DInfo(shape4((inputs.x as tf.TensorInfo).shape), shape4(filter.shape), a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, false, format);
  });
}

/** Conv2DBackpropInput (inputs dy, filter; attrs inputShape) with the live taps only. */
export function inputGradWithLiveTaps(config: tf.KernelConfig): tf.KernelConfig {
  return withLiveFilterTaps(config, ({ attrs }, filter) => {
    const a = attrs as unknown as ConvAttrs & { inputShape: number[]; dataFormat?: string };
    if (a.dataFormat === 'NCHW') return undefined;
    return tf.backend_util.computeConv2DInfo(shape4(a.inputShape), shape4(filter.shape), a.strides, 1, a.pad, a.dimRoundingMode);
  });
}

/** Conv2DBackpropFilter (inputs x, dy; attrs filterShape): the live taps' gradient, zeros for the dead ones. */
export function filterGradWithLiveTaps(config: tf.KernelConfig): tf.KernelConfig {
  const inner = config.kernelFunc as unknown as WasmKernel;
  const kernel: WasmKernel = (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const attrs = args.attrs as unknown as ConvAttrs & { filterShape: number[]; dataFormat?: string };
    if (attrs.dataFormat === 'NCHW') return inner(args);
    const info = tf.backend_util.computeConv2DInfo(shape4(x.shape), shape4(attrs.filterShape), attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
    const taps = liveTaps(info);
    if (!taps) return inner(args);
    const [, , ci, co] = attrs.filterShape;
    const part = inner({ ...args, attrs: { ...args.attrs, pad: taps.pad, filterShape: [taps.ny, taps.nx, ci!, co!] } as never });
    const full = args.backend.makeOutput([...attrs.filterShape], 'float32');
    f32(args.backend, full).fill(0);
    copyTaps(args.backend, full, part, taps, true);
    args.backend.disposeData(part.dataId);
    return full;
  };
  return { ...config, kernelFunc: kernel as unknown as tf.KernelFunc };
}
