/**
 * Checks of a backup in a localstorage bucket on disk against the emulator's ledger, whichever tool wrote it: every
 * file a node's snapshot held must sit in that node's SSTable directory of the bucket with the same name, size and
 * CRC32. Also parses what `sctool backup files` prints, so SM's listing and ours can be compared.
 * @module
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { sstTableDir } from "../../src/backup/layout/paths.ts";
import type { EmulatedCluster } from "../emulator/index.ts";
import { digestFile } from "../emulator/storage/content.ts";
import { snapshotFiles } from "../emulator/storage/snapshot-digests.ts";

/**
 * What differs between the snapshot `tag` of `keyspace.tables` on every node and the bucket at `bucketDir` (the
 * cluster's files under `clusterId`): one line per file missing or different, empty when the backup holds them all.
 */
export function bucketMismatches(
  cluster: EmulatedCluster,
  bucketDir: string,
  clusterId: string,
  tag: string,
  keyspace: string,
  tables: readonly string[],
): string[] {
  const problems: string[] = [];
  for (const table of tables) {
    const captured = snapshotFiles(cluster.ledger, tag, keyspace, table);
    if (captured.length === 0) problems.push(`${keyspace}.${table}: the ledger has no files of snapshot ${tag}`);
    for (const node of cluster.nodes) {
      const tableDir = join(bucketDir, sstTableDir(clusterId, node.dc, node.hostId, keyspace, table));
      const inBucket = new Map<string, string>();
      const versions = existsSync(tableDir) ? readdirSync(tableDir) : [];
      for (const version of versions) {
        for (const name of readdirSync(join(tableDir, version))) {
          const d = digestFile(join(tableDir, version, name));
          inBucket.set(name, `${d.size}|${d.crc32}`);
        }
      }
      for (const f of captured.filter((c) => c.host === node.ip)) {
        const got = inBucket.get(f.name);
        if (got !== `${f.size}|${f.digest}`) {
          problems.push(`${node.ip} ${keyspace}.${table} ${f.name}: snapshot ${f.size}|${f.digest}, bucket ${got}`);
        }
      }
    }
  }
  return problems;
}

/** The `<path>\t<keyspace/table>` lines `sctool backup files` prints, sorted, with blank lines dropped. */
export function backupFileLines(stdout: string): string[] {
  return stdout
    .split("\n")
    .map((line) => line.trim().replace(/\s+/g, " "))
    .filter((line) => line !== "")
    .sort();
}

/** The local path of a `localstorage://<bucket>/<path>` line of `sctool backup files` under the storage root. */
export function localPathOf(root: string, line: string): string {
  const url = line.split(" ")[0] ?? "";
  return join(root, url.replace(/^localstorage:\/\//, ""));
}
