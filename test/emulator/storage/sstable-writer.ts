/**
 * Writes one SSTable (all components) of a given total size into a directory. Component sizes follow rough
 * real-world proportions; Data.db takes the rest. TOC.txt lists the components and Digest.crc32 holds the CRC32 of
 * Data.db in decimal, as Scylla writes it.
 * @module
 */
import { join } from "node:path";
import { type FileDigest, writeSeededFile, writeTextFile } from "./content.ts";
import { COMPONENTS, type Component, formatSSTableFileName } from "./sstable-names.ts";

/** One SSTable on disk: generation and the digest of every component file (by file name). */
export interface SSTableFiles {
  generation: string;
  files: Map<string, FileDigest>;
}

/** Sizes of the binary components for an SSTable of about `total` bytes. */
export function planComponentSizes(total: number): Record<Exclude<Component, "TOC.txt" | "Digest.crc32">, number> {
  const index = Math.floor(total * 0.03) + 8;
  const summary = Math.floor(total * 0.004) + 56;
  const filter = Math.floor(total * 0.01) + 16;
  const statistics = Math.floor(total * 0.001) + 4096;
  const compressionInfo = Math.floor(total * 0.002) + 64;
  const scylla = 96;
  const data = Math.max(1, total - index - summary - filter - statistics - compressionInfo - scylla);
  return {
    "Data.db": data,
    "Index.db": index,
    "Summary.db": summary,
    "Filter.db": filter,
    "Statistics.db": statistics,
    "CompressionInfo.db": compressionInfo,
    "Scylla.db": scylla,
  };
}

/** Writes every component of one SSTable; `seed` makes the content deterministic. */
export function writeSSTable(dir: string, generation: string, total: number, seed: string): SSTableFiles {
  const sizes = planComponentSizes(total);
  const files = new Map<string, FileDigest>();
  const path = (c: string): string => join(dir, formatSSTableFileName(generation, c));
  let dataCrc = "00000000";
  for (const [component, size] of Object.entries(sizes)) {
    const digest = writeSeededFile(path(component), `${seed}:${component}`, size);
    files.set(formatSSTableFileName(generation, component), digest);
    if (component === "Data.db") dataCrc = digest.crc32;
  }
  const digestText = String(Number.parseInt(dataCrc, 16));
  files.set(formatSSTableFileName(generation, "Digest.crc32"), writeTextFile(path("Digest.crc32"), digestText));
  const toc = `${COMPONENTS.join("\n")}\n`;
  files.set(formatSSTableFileName(generation, "TOC.txt"), writeTextFile(path("TOC.txt"), toc));
  return { generation, files };
}
