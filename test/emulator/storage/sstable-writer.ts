/**
 * Plans and writes one SSTable (all components) of a given total size. Component sizes follow rough real-world
 * proportions; Data.db takes the rest. TOC.txt lists the components and Digest.crc32 holds the CRC32 of Data.db in
 * decimal, as Scylla writes it.
 * @module
 */
import { join } from "node:path";
import { type FileDigest, type FilePlan, planSeededFile, planTextFile, writePlan, writePlanSync } from "./content.ts";
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

/** Plans every component file of one SSTable (file name → plan); `seed` makes the content deterministic. */
export function planSSTable(generation: string, total: number, seed: string): Map<string, FilePlan> {
  const plans = new Map<string, FilePlan>();
  let dataCrc = "00000000";
  for (const [component, size] of Object.entries(planComponentSizes(total))) {
    const plan = planSeededFile(`${seed}:${component}`, size);
    plans.set(formatSSTableFileName(generation, component), plan);
    if (component === "Data.db") dataCrc = plan.digest.crc32;
  }
  plans.set(formatSSTableFileName(generation, "Digest.crc32"), planTextFile(String(Number.parseInt(dataCrc, 16))));
  plans.set(formatSSTableFileName(generation, "TOC.txt"), planTextFile(`${COMPONENTS.join("\n")}\n`));
  return plans;
}

const toFiles = (generation: string, plans: Map<string, FilePlan>): SSTableFiles => ({
  generation,
  files: new Map([...plans].map(([name, plan]) => [name, plan.digest])),
});

/** Writes every component of one SSTable synchronously; the TOC is written last, as Scylla seals an SSTable. */
export function writeSSTable(dir: string, generation: string, total: number, seed: string): SSTableFiles {
  const plans = planSSTable(generation, total, seed);
  for (const [name, plan] of plans) writePlanSync(join(dir, name), plan);
  return toFiles(generation, plans);
}

/** Writes every component of one SSTable concurrently (the TOC after the others). */
export async function writeSSTableAsync(
  dir: string,
  generation: string,
  total: number,
  seed: string,
): Promise<SSTableFiles> {
  const plans = planSSTable(generation, total, seed);
  const entries = [...plans];
  await Promise.all(entries.filter(([n]) => !n.endsWith("TOC.txt")).map(([n, p]) => writePlan(join(dir, n), p)));
  await Promise.all(entries.filter(([n]) => n.endsWith("TOC.txt")).map(([n, p]) => writePlan(join(dir, n), p)));
  return toFiles(generation, plans);
}
