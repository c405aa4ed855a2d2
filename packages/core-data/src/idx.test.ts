import { describe, expect, it } from 'vitest';
import { DataFormatError } from './errors.js';
import { encodeIdx, parseIdx } from './idx.js';
import { classCounts, firstPerClass, selectIndices, splitFromIdx } from './split.js';

describe('parseIdx', () => {
  const pixels = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i);
  const file = encodeIdx([2, 3, 4], pixels);

  it('round-trips dims and data', () => {
    expect(file.length).toBe(16 + 24);
    const parsed = parseIdx(file);
    expect(parsed.dims).toEqual([2, 3, 4]);
    expect(Array.from(parsed.data)).toEqual(Array.from(pixels));
  });

  it('rejects truncated files, trailing bytes, bad magic and gzip input with typed errors', () => {
    expect(() => parseIdx(file.subarray(0, file.length - 1), 'x.idx')).toThrow(/x\.idx: IDX truncated: dims \[2, 3, 4\] need 24 data bytes, found 23/);
    expect(() => parseIdx(file.subarray(0, 10))).toThrow(/truncated IDX header/);
    expect(() => parseIdx(new Uint8Array([...file, 0]))).toThrow(/trailing bytes/);
    expect(() => parseIdx(new Uint8Array([1, 2, 8, 1, 0, 0, 0, 0]))).toThrow(DataFormatError);
    expect(() => parseIdx(new Uint8Array([0x1f, 0x8b, 8, 0]))).toThrow(/gzip-compressed/);
    expect(() => parseIdx(new Uint8Array([0, 0, 0x0d, 1, 0, 0, 0, 0]))).toThrow(/not unsigned byte/);
  });
});

describe('splits', () => {
  const labels = Int32Array.from([3, 1, 1, 0, 3, 1, 0, 2, 2, 0]);
  const images = Uint8Array.from(labels, (_, i) => i * 10);
  const split = splitFromIdx({ dims: [10, 1, 1], data: images }, { dims: [10], data: Uint8Array.from(labels) }, 4, 'test');

  it('firstPerClass takes the first k of each class in file order', () => {
    expect(firstPerClass(labels, 4, 2)).toEqual([0, 1, 2, 3, 4, 6, 7, 8]);
  });

  it('selectIndices copies pixels and labels of the chosen images', () => {
    const s = selectIndices(split, [4, 0]);
    expect(Array.from(s.images)).toEqual([40, 0]);
    expect(Array.from(s.labels)).toEqual([3, 3]);
    expect(classCounts(split, 4)).toEqual([3, 3, 2, 2]);
  });

  it('rejects labels outside the class list and count mismatches', () => {
    expect(() => splitFromIdx({ dims: [10, 1, 1], data: images }, { dims: [10], data: Uint8Array.from(labels) }, 3, 'f')).toThrow(/label 3 at index 0/);
    expect(() => splitFromIdx({ dims: [10, 1, 1], data: images }, { dims: [9], data: Uint8Array.from(labels) }, 4, 'f')).toThrow(/10 images but 9 labels/);
  });
});
