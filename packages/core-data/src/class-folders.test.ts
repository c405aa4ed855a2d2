import { describe, expect, it } from 'vitest';
import { classFolders } from './class-folders.js';
import { decodePng, encodePng } from './png.js';

describe('classFolders', () => {
  it('makes names safe and apart on case-insensitive file systems', () => {
    expect(classFolders(['T-shirt/top', 'Ankle boot', 'a:b?'])).toEqual(['T-shirt_top', 'Ankle boot', 'a_b_']);
    expect(classFolders(['A', 'B', 'a', 'b', 'c'])).toEqual(['A', 'B', 'a_lower', 'b_lower', 'c']);
    expect(classFolders(['x', 'X'])).toEqual(['x', 'X_upper']);
    expect(() => classFolders(['a/b', 'a_b'])).toThrow(/same folder name/);
  });
});

describe('PNG', () => {
  it('round-trips gray and RGB images and reads gray RGB as one channel', () => {
    const gray = Uint8Array.from({ length: 6 }, (_, i) => i * 40);
    expect(decodePng(encodePng(gray, 3, 2, 1), 'g')).toEqual({ width: 3, height: 2, channels: 1, data: gray });
    const rgb = Uint8Array.from({ length: 18 }, (_, i) => i * 13);
    expect(decodePng(encodePng(rgb, 3, 2, 3), 'c')).toEqual({ width: 3, height: 2, channels: 3, data: rgb });
    const grayAsRgb = Uint8Array.from({ length: 18 }, (_, i) => Math.floor(i / 3) * 40);
    expect(decodePng(encodePng(grayAsRgb, 3, 2, 3), 'c').data).toEqual(gray);
    expect(() => decodePng(new Uint8Array([1, 2, 3]), 'bad.png')).toThrow(/bad\.png: not a readable PNG/);
  });
});
