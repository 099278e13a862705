/**
 * CRC32 of data followed by `n` zero bytes without reading the zeros: the CRC register over zero input is a linear
 * map, applied in O(log n) 32×32 GF(2) matrix steps (the method of zlib's crc32_combine). Sparse files of any size
 * get their CRC in microseconds.
 * @module
 */

const POLY = 0xedb88320;

function times(mat: Uint32Array, vec: number): number {
  let sum = 0;
  let v = vec >>> 0;
  for (let i = 0; v !== 0; i++, v >>>= 1) if (v & 1) sum ^= mat[i] ?? 0;
  return sum >>> 0;
}

function square(out: Uint32Array, mat: Uint32Array): void {
  for (let n = 0; n < 32; n++) out[n] = times(mat, mat[n] ?? 0);
}

/** `operators[k]` applies 2^k zero bytes; built on demand and kept. */
const operators: Uint32Array[] = [];

function operator(k: number): Uint32Array {
  while (operators.length <= k) {
    const last = operators.at(-1);
    const next = new Uint32Array(32);
    if (last === undefined) {
      // One zero bit, squared three times: one zero byte.
      const bit = new Uint32Array(32);
      bit[0] = POLY;
      for (let n = 1, row = 1; n < 32; n++, row <<= 1) bit[n] = row >>> 0;
      const two = new Uint32Array(32);
      const four = new Uint32Array(32);
      square(two, bit);
      square(four, two);
      square(next, four);
    } else square(next, last);
    operators.push(next);
  }
  return operators[k] as Uint32Array;
}

/** Applies `bytes` zero bytes to a raw (unconditioned) CRC register. */
function applyZeros(register: number, bytes: number): number {
  let crc = register >>> 0;
  for (let k = 0, len = bytes; len > 0; k++, len = Math.floor(len / 2)) {
    if (len % 2 === 1) crc = times(operator(k), crc);
  }
  return crc;
}

/** The CRC32 (zlib convention) of the data whose CRC32 is `crc`, followed by `bytes` zero bytes. */
export function crc32ExtendZeros(crc: number, bytes: number): number {
  return ~applyZeros(~crc >>> 0, bytes) >>> 0;
}
