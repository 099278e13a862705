/**
 * SNAPSHOT and AWAIT_SCHEMA (SM's `worker_snapshot.go`, `worker_schema.go`): the disk-space guard on every host
 * before any snapshot is taken, leftover `sm_*` snapshots removed, `system_schema` snapshotted last, tablet load
 * balancing off meanwhile (always switched back on); then the CQL schema dumped after a raft read barrier.
 * @module
 */
import { gzipSync } from "node:zlib";
import {
  deleteSnapshot,
  listSnapshotTags,
  raftReadBarrier,
  setTabletBalancing,
  takeSnapshot,
} from "../clients/scylla/snapshots.ts";
import { ManagerError } from "../errors.ts";
import { isSnapshotTag } from "./layout/index.ts";
import { inParallelWithLimits, type RunEnv } from "./worker.ts";

/** Refuses to snapshot when a host's data disk has less than `disk_space_free_min_percent` free. */
export async function checkDiskSpace(env: RunEnv): Promise<void> {
  const min = env.config.diskSpaceFreeMinPercent;
  await Promise.all(
    env.hosts.map(async (h) => {
      const about = await env.rclone.about(h.ip, "data:", { signal: env.signal });
      const free = about.total > 0 ? (about.free * 100) / about.total : 100;
      if (free < min) {
        throw new ManagerError(
          `${h.ip}: not enough disk space: ${free.toFixed(1)}% free, backup needs at least ${min}% (disk_space_free_min_percent)`,
        );
      }
    }),
  );
}

/** Units in random order with `system_schema` last (its snapshot must not be older than the data's). */
function snapshotOrder<T extends { keyspace: string }>(units: readonly T[]): T[] {
  const rest = units.filter((u) => u.keyspace !== "system_schema");
  for (let i = rest.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [rest[i], rest[j]] = [rest[j] as T, rest[i] as T];
  }
  return [...rest, ...units.filter((u) => u.keyspace === "system_schema")];
}

export async function snapshotStage(env: RunEnv): Promise<void> {
  const tag = env.run.snapshot_tag;
  const { scylla } = env.cluster;
  const call = { signal: env.signal };
  // Both only read; the guard still decides before anything is snapshotted.
  const [, tabletList] = await Promise.all([
    checkDiskSpace(env),
    scylla.keyspaces({ type: "all", replication: "tablets" }, call).catch(() => []),
  ]);
  const tabletKeyspaces = new Set(tabletList);
  const tablets = env.units.some((u) => tabletKeyspaces.has(u.keyspace));
  if (tablets) await setTabletBalancing(scylla, false, call);
  try {
    await inParallelWithLimits(
      env.hosts,
      env.snapshotParallel,
      async (h) => {
        for (const old of await listSnapshotTags(scylla, h.ip, call)) {
          if (old !== tag && isSnapshotTag(old)) await deleteSnapshot(scylla, h.ip, old, undefined, [], call);
        }
        for (const unit of snapshotOrder(env.units)) {
          env.signal.throwIfAborted();
          await takeSnapshot(scylla, h.ip, tag, unit.keyspace, unit.allTables ? [] : unit.tables, call);
        }
        env.metrics?.snapshot(env.clusterId, h.ip, env.units, true);
      },
      env.signal,
    );
  } finally {
    // Re-enabled even when the run was stopped: a fresh signal, not the run's.
    if (tablets)
      await setTabletBalancing(scylla, true).catch((error) =>
        env.logger.error("re-enable tablet balancing", { error: String(error) }),
      );
  }
}

/** AWAIT_SCHEMA: `DESCRIBE SCHEMA WITH INTERNALS` from one host, kept gzipped in memory for SCHEMA. */
export async function awaitSchemaStage(env: RunEnv): Promise<void> {
  const host = env.hosts[0]?.ip ?? "";
  await raftReadBarrier(env.cluster.scylla, host, { signal: env.signal });
  const session = await env.cluster.cqlSession(host);
  if (!session) {
    throw new ManagerError(
      "CQL credentials are required to back up schema, add them with 'sctool cluster update --username --password' or use --skip-schema",
    );
  }
  try {
    const result = await session.execute("DESCRIBE SCHEMA WITH INTERNALS");
    const rows = result.rows.map((row) => ({
      keyspace: String(row.keyspace_name ?? ""),
      type: String(row.type ?? ""),
      name: String(row.name ?? ""),
      cql_stmt: String(row.create_statement ?? ""),
    }));
    env.schema = gzipSync(`${JSON.stringify(rows)}\n`);
  } finally {
    await session.shutdown().catch(() => undefined);
  }
}
