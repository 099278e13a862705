/**
 * INDEX (SM's `worker_index.go`): per host, the snapshot dir of every backed-up table (`data:<ks>/<t>-<ver>/
 * snapshots/<tag>`), its files (Scylla's `manifest.json` apart, `schema.cql` deleted), and a progress row per
 * table. On resume, rows of a previous run are carried over: a finished table keeps its figures, an unfinished one
 * counts what left the disk already as skipped (files were moved, so only the rest remains).
 * @module
 */
import { ManagerError } from "../errors.ts";
import { isUploaded, type RunProgress } from "./model.ts";
import { mapLimit } from "./read/access.ts";
import { inParallelWithLimits, newProgressRow, type RunEnv, type SnapshotDir } from "./worker.ts";

const TABLE_DIR = /^([A-Za-z0-9_.-]+)-([a-f0-9]{32})$/;
const SCHEMA_CQL = "schema.cql";
/** Table dirs of one host read at once. */
const INDEX_DIRS_AT_ONCE = 8;

/** Lists every host's snapshot dirs; `prev` are progress rows of the run being resumed (keyed like the book). */
export async function indexStage(
  env: RunEnv,
  prev: ReadonlyMap<string, RunProgress>,
  afterUpload: boolean,
): Promise<void> {
  const tag = env.run.snapshot_tag;
  await inParallelWithLimits(
    env.hosts,
    env.uploadParallel,
    async (h) => {
      const dirs: SnapshotDir[] = [];
      for (const [unitIndex, unit] of env.units.entries()) {
        const wanted = new Set(unit.tables);
        const tableDirs = await env.rclone.list(
          h.ip,
          `data:${unit.keyspace}`,
          { dirsOnly: true },
          { signal: env.signal },
        );
        const tables = tableDirs.flatMap((item) => {
          const m = TABLE_DIR.exec(item.Name);
          return m && wanted.has(m[1] as string)
            ? [{ dirName: item.Name, table: m[1] as string, version: m[2] as string }]
            : [];
        });
        // A host's table dirs are read a few at once: each is two agent round trips, and on a loaded machine the
        // round trips, not the agent's work, are what a host's INDEX waits for.
        const found = await mapLimit(tables, INDEX_DIRS_AT_ONCE, async ({ dirName, table, version }) => {
          const path = `${unit.keyspace}/${dirName}/snapshots/${tag}`;
          // schema.cql is deleted (SM does) while the dir is listed; the listing leaves it out.
          const [, listed] = await Promise.all([
            env.rclone.deleteFile(h.ip, `data:${path}/${SCHEMA_CQL}`, { signal: env.signal }),
            env.rclone.list(h.ip, `data:${path}`, { filesOnly: true }, { signal: env.signal }),
          ]);
          const items = listed.filter((item) => item.Name !== SCHEMA_CQL);
          if (items.length === 0 && !prev.has(`${h.ip}/${unitIndex}/${table}`)) return undefined;
          const dir: SnapshotDir = {
            host: h.ip,
            unit: unitIndex,
            keyspace: unit.keyspace,
            table,
            version,
            path,
            files: [],
            scyllaManifests: [],
            willCreateVersioned: false,
          };
          for (const file of items) {
            if (file.Name.endsWith("manifest.json")) dir.scyllaManifests.push(file.Name);
            else dir.files.push({ name: file.Name, size: file.Size });
          }
          dir.files.sort((a, b) => a.name.localeCompare(b.name));
          return dir;
        });
        for (const dir of found) if (dir !== undefined) dirs.push(dir);
      }
      if (dirs.length === 0 && !afterUpload) throw new ManagerError(`${h.ip}: could not find any files`);
      env.dirs.set(h.ip, dirs);
      for (const dir of dirs) {
        const size = dir.files.reduce((sum, f) => sum + f.size, 0);
        const row = newProgressRow(h.ip, dir.unit, dir.table);
        const before = prev.get(`${h.ip}/${dir.unit}/${dir.table}`);
        if (before && isUploaded(before)) {
          env.progress.put({ ...before });
          continue;
        }
        if (before) {
          row.size = before.size;
          row.files_count = before.files_count;
          row.skipped = Math.max(0, before.size - size);
          row.files_skipped_count = Math.max(0, before.files_count - dir.files.length);
          row.agent_job_id = before.agent_job_id;
          row.scylla_task_id = before.scylla_task_id;
        } else {
          row.size = size;
          row.files_count = dir.files.length;
        }
        env.progress.put(row);
      }
    },
    env.signal,
  );
  await env.progress.flush();
}
