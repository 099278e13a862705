import { randomBytes, randomUUID } from "node:crypto";

/** The nil UUID, SM's "no id". */
export const NIL_UUID = "00000000-0000-0000-0000-000000000000";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

export function newUuid(): string {
  return randomUUID();
}

// 100-ns intervals between the Gregorian epoch (1582-10-15) and the Unix epoch.
const GREGORIAN_OFFSET = 122_192_928_000_000_000n;
let lastTicks = 0n;
const node = randomBytes(6);
node[0] = (node[0] ?? 0) | 0x01; // multicast bit: a random node id, as RFC 4122 §4.5 asks
const clockSeq = randomBytes(2).readUInt16BE(0) & 0x3fff;

/**
 * A time-based (v1) UUID for `timeMs`, strictly increasing within this process, as SM's run ids
 * (time-UUIDs, clustering DESC ⇒ newest first).
 */
export function newTimeUuid(timeMs: number = Date.now()): string {
  let ticks = BigInt(Math.floor(timeMs)) * 10_000n + GREGORIAN_OFFSET;
  if (ticks <= lastTicks) ticks = lastTicks + 1n;
  lastTicks = ticks;
  return timeUuidFromTicks(ticks, clockSeq, node);
}

/** The v1 UUID with the given 100-ns tick count (fixed node and clock sequence, for deterministic ids). */
export function timeUuidFromTicks(ticks: bigint, seq = 0, nodeId: Uint8Array = new Uint8Array(6)): string {
  const low = ticks & 0xffffffffn;
  const mid = (ticks >> 32n) & 0xffffn;
  const high = ((ticks >> 48n) & 0x0fffn) | 0x1000n;
  const hex = (value: bigint | number, width: number) => value.toString(16).padStart(width, "0");
  const seqField = (seq & 0x3fff) | 0x8000;
  return `${hex(low, 8)}-${hex(mid, 4)}-${hex(high, 4)}-${hex(seqField, 4)}-${Buffer.from(nodeId).toString("hex")}`;
}

/** Milliseconds since the Unix epoch encoded in a v1 UUID. */
export function timeUuidToMs(uuid: string): number {
  const hex = uuid.replace(/-/g, "");
  const high = BigInt(`0x${hex.slice(13, 16)}`);
  const mid = BigInt(`0x${hex.slice(8, 12)}`);
  const low = BigInt(`0x${hex.slice(0, 8)}`);
  const ticks = (high << 48n) | (mid << 32n) | low;
  return Number((ticks - GREGORIAN_OFFSET) / 10_000n);
}

/** Orders v1 UUIDs by time (then by text), ascending. */
export function compareTimeUuid(a: string, b: string): number {
  const diff = timeUuidToMs(a) - timeUuidToMs(b);
  if (diff !== 0) return diff;
  const ta = timeUuidTicks(a);
  const tb = timeUuidTicks(b);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function timeUuidTicks(uuid: string): bigint {
  const hex = uuid.replace(/-/g, "");
  return (
    (BigInt(`0x${hex.slice(13, 16)}`) << 48n) |
    (BigInt(`0x${hex.slice(8, 12)}`) << 32n) |
    BigInt(`0x${hex.slice(0, 8)}`)
  );
}
