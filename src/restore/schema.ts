/**
 * Restore schema (SM's `schema_worker.go` behaviour): the `..._schema_with_internals.json.gz` of the snapshot tag
 * (first location, any cluster or task), applied row by row through CQL; on an error every keyspace created so far
 * is dropped again. Finally synthetic completed progress rows make the run show 100%.
 * @module
 */
import { gunzipSync } from "node:zlib";
import { locationRemotePath } from "../backup/layout/location.ts";
import { parseSchemaFileName, SCHEMA_DIR } from "../backup/layout/paths.ts";
import type { CqlSession } from "../clients/cql/session.ts";
import { describeDriverError } from "../clients/cql/session.ts";
import { ManagerError } from "../errors.ts";
import type { RunRef } from "./data-stage.ts";
import type { RestoreEnv } from "./env.ts";
import type { ResolvedTarget } from "./init.ts";
import { RESTORE_PROGRESS_KIND, type RestoreProgressRow, type RestoreUnit } from "./model.ts";
import { type DescribedSchemaRow, dropKeyspaceStatement, planSchemaSteps } from "./schema-cql.ts";

/** Finds and reads the CQL schema file of `tag` in the first location. */
export async function readSchemaFile(env: RestoreEnv, resolved: ResolvedTarget): Promise<DescribedSchemaRow[]> {
  const l = resolved.locations[0];
  if (!l) throw new ManagerError("no location");
  const base = `${SCHEMA_DIR}/cluster`;
  const items = await env.rclone.list(l.anyHost, locationRemotePath(l.location, base), {
    recurse: true,
    filesOnly: true,
  });
  let cqlPath = "";
  let alternator = "";
  for (const item of items) {
    const parsed = parseSchemaFileName(item.Name);
    if (!parsed || parsed.snapshotTag !== resolved.target.snapshotTag) continue;
    if (parsed.kind === "cql") {
      if (cqlPath !== "") throw new ManagerError(`multiple cql schema files found (${cqlPath}, ${item.Path})`);
      cqlPath = item.Path;
    } else alternator = item.Path;
  }
  if (cqlPath === "") throw new ManagerError("look for schema file: no cql schema file found in backup location");
  if (alternator !== "") {
    throw new ManagerError("backup contains alternator schema, restoring alternator tables is not supported yet", {
      hint: "restore the alternator tables' schema by hand, then restore their data with --restore-tables",
    });
  }
  const bytes = await env.rclone.cat(l.anyHost, locationRemotePath(l.location, `${base}/${cqlPath}`));
  const rows = JSON.parse(gunzipSync(bytes).toString("utf8")) as DescribedSchemaRow[] | null;
  return rows ?? [];
}

/** Applies the schema file; drops what it created when a statement fails. */
export async function restoreSchema(
  env: RestoreEnv,
  input: { resolved: ResolvedTarget; units: RestoreUnit[]; run: RunRef; cql: CqlSession; signal: AbortSignal },
): Promise<void> {
  const rows = await readSchemaFile(env, input.resolved);
  const start = new Date(env.now()).toISOString();
  const created: string[] = [];
  for (const step of planSchemaSteps(rows)) {
    for (const stmt of step.statements) {
      input.signal.throwIfAborted();
      try {
        await input.cql.execute(stmt);
      } catch (error) {
        for (const ks of created) {
          await input.cql
            .execute(dropKeyspaceStatement(ks))
            .catch((e: unknown) =>
              env.logger.error(`restore schema: couldn't roll back keyspace ${ks}: ${describeDriverError(e)}`),
            );
        }
        throw new ManagerError(
          `create ${step.row.name} (${step.row.keyspace}) with ${stmt}: ${describeDriverError(error)}`,
          { cause: error },
        );
      }
      if (step.row.type === "keyspace") created.push(step.row.name);
    }
  }
  const end = new Date(env.now()).toISOString();
  const rowsOut = input.units.flatMap((u) =>
    u.tables.map((t) => {
      const row: RestoreProgressRow = {
        remote_sstable_dir: "",
        keyspace_name: u.keyspace,
        table_name: t.table,
        host: "",
        shard_cnt: 0,
        agent_job_id: 0,
        sstable_id: [],
        download_started_at: start,
        download_completed_at: start,
        restore_started_at: start,
        restore_completed_at: end,
        downloaded: t.size,
        versioned_downloaded: 0,
        restored: t.size,
        failed: 0,
        error: "",
      };
      return { key: `schema|${u.keyspace}|${t.table}`, value: row };
    }),
  );
  await env.store.putProgress(RESTORE_PROGRESS_KIND, env.clusterId, input.run.taskId, input.run.runId, rowsOut);
}
