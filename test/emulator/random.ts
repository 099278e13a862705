/**
 * Seeded pseudo-random numbers (xoshiro128**-style via splitmix32 seeding) so tokens, host ids and table ids are
 * deterministic from `--seed`.
 * @module
 */

/** A deterministic random source. */
export interface Random {
  /** Uniform 32-bit unsigned integer. */
  nextU32(): number;
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform signed 64-bit integer. */
  nextI64(): bigint;
  /** A random (version 4 layout) UUID string. */
  uuid(): string;
  /** Integer in [0, n). */
  int(n: number): number;
}

/** Creates a seeded random source; equal seeds give equal sequences. */
export function createRandom(seed: number | string): Random {
  let h = typeof seed === "number" ? seed >>> 0 : hashString(seed);
  const splitmix = (): number => {
    h = (h + 0x9e3779b9) >>> 0;
    let z = h;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  const s = [splitmix(), splitmix(), splitmix(), splitmix()] as [number, number, number, number];
  const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;
  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  };
  const hex = (n: number): string => n.toString(16).padStart(8, "0");
  return {
    nextU32,
    next: () => nextU32() / 0x1_0000_0000,
    nextI64: () => BigInt.asIntN(64, (BigInt(nextU32()) << 32n) | BigInt(nextU32())),
    int: (n) => Math.floor((nextU32() / 0x1_0000_0000) * n),
    uuid: () => {
      const raw = hex(nextU32()) + hex(nextU32()) + hex(nextU32()) + hex(nextU32());
      const variant = ((Number.parseInt(raw[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
      return `${raw.slice(0, 8)}-${raw.slice(8, 12)}-4${raw.slice(13, 16)}-${variant}${raw.slice(17, 20)}-${raw.slice(20, 32)}`;
    },
  };
}

/** FNV-1a hash of a string, for string seeds. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
