import { DataFormatError } from './errors.js';

/** A parsed IDX file (the MNIST family's format): big-endian dims, then row-major uint8 data. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UINT8 = 0x08;

/**
 * Parses an uncompressed IDX buffer of unsigned bytes. Validates the magic number, the element type,
 * the number of dimensions and that the data length equals the product of the dims, so that a truncated
 * or foreign file fails here with a message naming what is wrong, never later as garbage pixels.
 */
export function parseIdx(buf: Uint8Array, source = 'IDX data'): IdxArray {
  if (buf.length < 4) throw new DataFormatError(`${source}: ${buf.length} bytes is too short for an IDX header`);
  if (buf[0] !== 0 || buf[1] !== 0) {
    const gz = buf[0] === 0x1f && buf[1] === 0x8b ? ' (it is gzip-compressed: decompress it first)' : '';
    throw new DataFormatError(`${source}: bad IDX magic 0x${hex(buf, 0, 4)}${gz}`);
  }
  if (buf[2] !== UINT8) throw new DataFormatError(`${source}: IDX element type 0x${hex(buf, 2, 1)} is not unsigned byte (0x08)`);
  const ndims = buf[3]!;
  if (ndims < 1 || ndims > 4) throw new DataFormatError(`${source}: IDX has ${ndims} dimensions; expected 1 to 4`);
  const header = 4 + 4 * ndims;
  if (buf.length < header) throw new DataFormatError(`${source}: truncated IDX header (${buf.length} of ${header} bytes)`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i, false));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = buf.length - header;
  if (actual !== expected) {
    const what = actual < expected ? 'truncated' : 'has trailing bytes';
    throw new DataFormatError(`${source}: IDX ${what}: dims [${dims.join(', ')}] need ${expected} data bytes, found ${actual}`);
  }
  return { dims, data: buf.subarray(header) };
}

/** Serialises dims and uint8 data as an IDX buffer (used to write fixtures and converted files). */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const expected = dims.reduce((a, b) => a * b, 1);
  if (data.length !== expected) throw new DataFormatError(`encodeIdx: dims [${dims.join(', ')}] need ${expected} bytes, got ${data.length}`);
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = UINT8;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

function hex(buf: Uint8Array, start: number, n: number): string {
  return Array.from(buf.subarray(start, start + n), (b) => b.toString(16).padStart(2, '0')).join('');
}
