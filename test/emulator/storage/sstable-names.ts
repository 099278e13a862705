/**
 * SSTable file names as Scylla writes them: `me-<generation>-big-<Component>`, with an integer generation or a
 * UUID-style one (`uuid_sstable_identifiers_enabled`), e.g. `me-3ggs_0xmx_3261s2qpoyoxpg4min-big-Data.db`.
 * @module
 */
import type { Random } from "../random.ts";

/** Components of one `me` (big format) SSTable, TOC last as Scylla writes it (the TOC marks a complete SSTable). */
export const COMPONENTS = [
  "Data.db",
  "Index.db",
  "Summary.db",
  "Filter.db",
  "Statistics.db",
  "CompressionInfo.db",
  "Digest.crc32",
  "Scylla.db",
  "TOC.txt",
] as const;

export type Component = (typeof COMPONENTS)[number];

/** A parsed component file name. */
export interface SSTableFileName {
  version: string;
  generation: string;
  format: string;
  component: string;
}

const NAME = /^([a-z]{2})-(\d+|[0-9a-z]{4}_[0-9a-z]{4}_[0-9a-z]{18})-([a-z]+)-(.+)$/;

/** Parses `me-<gen>-big-<Component>`; undefined for anything else (manifest.json, schema.cql, ...). */
export function parseSSTableFileName(name: string): SSTableFileName | undefined {
  const m = NAME.exec(name);
  if (m === null) return undefined;
  return { version: m[1] ?? "", generation: m[2] ?? "", format: m[3] ?? "", component: m[4] ?? "" };
}

/** The file name of one component. */
export function formatSSTableFileName(generation: string, component: string): string {
  return `me-${generation}-big-${component}`;
}

const base36 = (n: bigint | number, width: number): string => n.toString(36).padStart(width, "0");

/**
 * A UUID-style generation in the shape Scylla prints time UUID identifiers: days since the epoch (4 base36
 * digits), seconds of the day (4), tenths of microseconds of the second (5) and 13 base36 digits of random bits.
 */
export function formatUuidGeneration(timeMs: number, random: Random): string {
  const days = Math.floor(timeMs / 86_400_000);
  const secondsOfDay = Math.floor((timeMs % 86_400_000) / 1000);
  const decimicros = (timeMs % 1000) * 10_000 + random.int(10_000);
  const lsb = BigInt.asUintN(64, random.nextI64()) % 36n ** 13n;
  return `${base36(days, 4)}_${base36(secondsOfDay, 4)}_${base36(decimicros, 5)}${base36(lsb, 13)}`;
}
