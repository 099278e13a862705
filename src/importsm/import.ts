/**
 * `importSm`: copies an SM 3.x keyspace (clusters with their secrets, tasks with schedules and properties, run
 * history, and the per-service run and progress rows needed to resume) into our store (SQLite or CQL).
 * A dry run (the default) only reads and reports; an import refuses to overwrite existing clusters or tasks unless
 * `overwrite` is set. Runtime-neutral.
 *
 * An import writes in many store batches, so it is not atomic: it records a marker (drawer `import-sm`/`in_progress`:
 * source, start, overwrite) before its first write and deletes it after its last. A marker left behind (the import
 * was killed, or the store failed mid-way) is reported by every later run; an `--apply` from the same source finishes
 * it (the objects it already wrote are not conflicts), one from another source is refused unless `overwrite` is set.
 * @module
 */
import type cassandra from "cassandra-driver";
import { StoreError } from "../errors.ts";
import { type CqlConnectOptions, createCqlClient, describeTarget, toCqlStoreError } from "../store/cql/connect.ts";
import { quoteIdent } from "../store/cql/schema.ts";
import type { Store, StoreWrite } from "../store/store.ts";
import { SM_PROGRESS_CONVERTERS, SM_RUN_CONVERTERS } from "./kinds.ts";
import { IMPORT_MARKER, type ImportMarker, readUnfinishedImport } from "./marker.ts";
import {
  clusterFromSm,
  progressFromSm,
  type RowLike,
  rowObject,
  runFromSm,
  SM_PROGRESS_TABLES,
  SM_SERVICE_RUN_TABLES,
  secretFromSm,
  taskFromSm,
} from "./read.ts";

export interface ImportSmOptions {
  /** SM's database (its `database:` section) and keyspace. */
  source: CqlConnectOptions;
  target: Store;
  /** Write (default false: dry run). */
  apply?: boolean;
  /** Replace clusters and tasks that already exist in the target. */
  overwrite?: boolean;
}

export interface ImportSummary {
  source: string;
  applied: boolean;
  clusters: { id: string; name: string }[];
  secrets: number;
  /** Tasks per type (deleted ones included, as SM keeps them). */
  tasks: Record<string, number>;
  runs: number;
  serviceRuns: Record<string, number>;
  progressRows: Record<string, number>;
  /** Existing objects in the target that the import would replace ("cluster <id>", "task <type>/<id>"). */
  conflicts: string[];
  /** Tables of SM that were not found (older SM versions lack some). */
  missingTables: string[];
  /** An earlier import into this target that did not finish (its marker), if any. */
  unfinished?: ImportMarker;
}

/**
 * Reads the SM keyspace and, with `apply`, writes it into `target`.
 * @throws StoreError when SM's database is unreachable or the keyspace is not SM's; ValidationError-like StoreError
 *   naming the conflicts when objects exist and `overwrite` is not set (nothing is written then).
 */
export async function importSm(options: ImportSmOptions): Promise<ImportSummary> {
  const { source } = options;
  const ks = quoteIdent(source.keyspace);
  const client = createCqlClient({ ...source, timeoutMs: Math.max(source.timeoutMs ?? 0, 10_000) });
  try {
    await client.connect();
  } catch (error) {
    await client.shutdown().catch(() => undefined);
    throw toCqlStoreError("import-sm: connect to", source, error);
  }
  try {
    return await run(client, ks, options);
  } catch (error) {
    throw toCqlStoreError("import-sm: read", source, error);
  } finally {
    await client.shutdown().catch(() => undefined);
  }
}

async function run(client: cassandra.Client, ks: string, options: ImportSmOptions): Promise<ImportSummary> {
  const { source, target } = options;
  // Table → its clustering columns in order (from the schema tables, so any 3.x version reads right).
  const columns = await client.execute(
    "SELECT table_name, column_name, kind, position FROM system_schema.columns WHERE keyspace_name = ?",
    [source.keyspace],
    { prepare: true },
  );
  const tables = new Map<string, { name: string; position: number }[]>();
  for (const row of columns.rows) {
    const table = String(row.get("table_name"));
    const list = tables.get(table) ?? [];
    if (row.get("kind") === "clustering")
      list.push({ name: String(row.get("column_name")), position: row.get("position") });
    tables.set(table, list);
  }
  if (!tables.has("scheduler_task") || !tables.has("cluster")) {
    throw new StoreError(
      `import-sm: ${describeTarget(source)} is not a Scylla Manager keyspace (no cluster and scheduler_task tables)`,
      { hint: "point --source-keyspace (and --source-hosts) at SM's keyspace, by default scylla_manager" },
    );
  }
  const clusteringOf = (table: string) =>
    (tables.get(table) ?? []).sort((a, b) => a.position - b.position).map((c) => c.name);

  async function* scan(table: string): AsyncGenerator<cassandra.types.Row> {
    for await (const row of await client.execute(`SELECT * FROM ${ks}.${table}`, [], { prepare: false })) yield row;
  }

  const summary: ImportSummary = {
    source: describeTarget(source),
    applied: false,
    clusters: [],
    secrets: 0,
    tasks: {},
    runs: 0,
    serviceRuns: {},
    progressRows: {},
    conflicts: [],
    missingTables: [],
  };
  const unfinished = await readUnfinishedImport(target);
  if (unfinished) summary.unfinished = unfinished;
  const writes: StoreWrite[] = [];
  const secrets: { clusterId: string; key: string; value: Uint8Array }[] = [];

  for await (const row of scan("cluster")) {
    const cluster = clusterFromSm(row);
    summary.clusters.push({ id: cluster.id, name: cluster.name });
    if (await target.getCluster(cluster.id)) summary.conflicts.push(`cluster ${cluster.id} (${cluster.name})`);
    writes.push({ op: "putCluster", cluster });
  }
  if (tables.has("secrets")) {
    for await (const row of scan("secrets")) {
      const value = row.get("value") as Buffer | null;
      if (!value) continue;
      const key = String(row.get("key"));
      secrets.push({ clusterId: String(row.get("cluster_id")), key, value: secretFromSm(key, value) });
    }
    summary.secrets = secrets.length;
  } else summary.missingTables.push("secrets");
  if (tables.has("drawer")) {
    for await (const row of scan("drawer")) {
      const value = row.get("value") as Buffer | null;
      let parsed: unknown = null;
      try {
        parsed = value ? (JSON.parse(value.toString("utf8")) as unknown) : null;
      } catch {
        parsed = value?.toString("base64") ?? null;
      }
      writes.push({
        op: "putDrawer",
        clusterId: String(row.get("cluster_id")),
        key: String(row.get("key")),
        value: parsed,
      });
    }
  }
  for await (const row of scan("scheduler_task")) {
    const task = taskFromSm(row);
    summary.tasks[task.type] = (summary.tasks[task.type] ?? 0) + 1;
    if (await target.getTask(task.clusterId, task.type, task.id))
      summary.conflicts.push(`task ${task.type}/${task.id}`);
    writes.push({ op: "putTask", task });
  }
  if (tables.has("scheduler_task_run")) {
    for await (const row of scan("scheduler_task_run")) {
      writes.push({ op: "putRun", run: runFromSm(row) });
      summary.runs++;
    }
  } else summary.missingTables.push("scheduler_task_run");
  for (const table of SM_SERVICE_RUN_TABLES) {
    if (!tables.has(table)) {
      summary.missingTables.push(table);
      continue;
    }
    const convert = SM_RUN_CONVERTERS[table] ?? ((row: RowLike) => rowObject(row, ["cluster_id", "task_id"]));
    for await (const row of scan(table)) {
      writes.push({
        op: "putServiceRun",
        kind: table,
        run: {
          clusterId: String(row.get("cluster_id")),
          taskId: String(row.get("task_id")),
          runId: String(row.get("id")),
          value: convert(row),
        },
      });
      summary.serviceRuns[table] = (summary.serviceRuns[table] ?? 0) + 1;
    }
  }
  for (const table of SM_PROGRESS_TABLES) {
    if (!tables.has(table)) {
      summary.missingTables.push(table);
      continue;
    }
    const clustering = clusteringOf(table);
    const convert = SM_PROGRESS_CONVERTERS[table] ?? ((row: RowLike) => progressFromSm(row, clustering));
    for await (const row of scan(table)) {
      writes.push({
        op: "putProgress",
        kind: table,
        clusterId: String(row.get("cluster_id")),
        taskId: String(row.get("task_id")),
        runId: String(row.get("run_id")),
        rows: [convert(row)],
      });
      summary.progressRows[table] = (summary.progressRows[table] ?? 0) + 1;
    }
  }

  if (!options.apply) return summary;
  // Finishing an interrupted import of the same source: what it already wrote is not a conflict.
  const resuming = unfinished?.source === summary.source;
  if (unfinished && !resuming && !options.overwrite) {
    throw new StoreError(
      `import-sm: the target store holds an unfinished import from ${unfinished.source} (started ${unfinished.startedAt})`,
      {
        hint: `nothing was written; finish that import first (import-sm --apply with --source-hosts/--source-keyspace of ${unfinished.source}), or add --overwrite to import ${summary.source} over it`,
      },
    );
  }
  if (summary.conflicts.length > 0 && !options.overwrite && !resuming) {
    throw new StoreError(
      `import-sm: ${summary.conflicts.length} object(s) already exist in the target store: ${summary.conflicts.slice(0, 5).join(", ")}${summary.conflicts.length > 5 ? ", ..." : ""}`,
      { hint: "nothing was written; add --overwrite to replace them, or import into an empty store" },
    );
  }
  const marker: ImportMarker = {
    source: summary.source,
    startedAt: unfinished?.startedAt ?? new Date().toISOString(),
    overwrite: Boolean(options.overwrite) || (resuming && unfinished.overwrite),
  };
  await target.putDrawer(IMPORT_MARKER.clusterId, IMPORT_MARKER.key, marker);
  // Clusters and tasks first, then secrets, history and progress in slices (a store batch must stay small).
  for (const slice of slices(writes)) await target.batch(slice);
  for (const s of secrets) await target.putSecret(s.clusterId, s.key, s.value);
  await target.deleteDrawer(IMPORT_MARKER.clusterId, IMPORT_MARKER.key);
  summary.applied = true;
  delete summary.unfinished;
  return summary;
}

/**
 * Writes in store batches of at most 50 writes and about 32 KiB of values: Cassandra refuses logged batches over
 * 50 KiB by default, and SM's rows (task properties, restore views' CREATE statements) can be large.
 */
export function* slices(writes: StoreWrite[], maxWrites = 50, maxBytes = 32 * 1024): Generator<StoreWrite[]> {
  let slice: StoreWrite[] = [];
  let bytes = 0;
  for (const write of writes) {
    const size = JSON.stringify(write).length;
    if (slice.length > 0 && (slice.length >= maxWrites || bytes + size > maxBytes)) {
      yield slice;
      slice = [];
      bytes = 0;
    }
    slice.push(write);
    bytes += size;
  }
  if (slice.length > 0) yield slice;
}

/** The summary as text for the terminal. */
export function formatImportSummary(s: ImportSummary): string {
  const lines = [
    `${s.applied ? "Imported" : "Would import (dry run)"} from ${s.source}:`,
    `  clusters:  ${s.clusters.length}${s.clusters.length ? ` (${s.clusters.map((c) => c.name || c.id).join(", ")})` : ""}`,
    `  secrets:   ${s.secrets}`,
    `  tasks:     ${Object.values(s.tasks).reduce((a, b) => a + b, 0)}${
      Object.keys(s.tasks).length
        ? ` (${Object.entries(s.tasks)
            .map(([t, n]) => `${t} ${n}`)
            .join(", ")})`
        : ""
    }`,
    `  task runs: ${s.runs}`,
  ];
  for (const [kind, n] of Object.entries(s.serviceRuns)) lines.push(`  ${kind}: ${n}`);
  for (const [kind, n] of Object.entries(s.progressRows)) lines.push(`  ${kind} rows: ${n}`);
  if (s.conflicts.length > 0) {
    lines.push(`  already in the target (${s.conflicts.length}): ${s.conflicts.slice(0, 10).join(", ")}`);
    if (!s.applied) lines.push("  an import replaces them only with --overwrite");
  }
  if (s.unfinished) {
    const same = s.unfinished.source === s.source;
    lines.push(
      `  the target holds an unfinished import from ${s.unfinished.source} (started ${s.unfinished.startedAt}): ${
        same ? "--apply finishes it" : "finish it with --apply from that source, or --overwrite to replace it"
      }`,
    );
  }
  if (!s.applied) lines.push("Nothing was written. Run again with --apply to import.");
  return `${lines.join("\n")}\n`;
}
