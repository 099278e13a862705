/**
 * Reading Scylla's Prometheus text exposition (through the agent's `/metrics?name=`), as SM does for the shard
 * count (samples of `scylla_database_total_writes`) and memory (sum of `scylla_memory_total_memory`).
 * @module
 */

/** The samples of metric `name` (exact family name, labels ignored). */
export function readSamples(text: string, name: string): number[] {
  const values: number[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const nameEnd = line.search(/[{\s]/);
    if (nameEnd <= 0 || line.slice(0, nameEnd) !== name) continue;
    const afterLabels = line.indexOf("}") >= 0 ? line.slice(line.lastIndexOf("}") + 1) : line.slice(nameEnd);
    const value = Number(afterLabels.trim().split(/\s+/)[0]);
    if (!Number.isNaN(value)) values.push(value);
  }
  return values;
}
