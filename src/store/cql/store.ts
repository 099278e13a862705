/**
 * The CQL store: manager state in a ScyllaDB or Cassandra keyspace (SM's `database:` config), on cassandra-driver.
 * Runtime-neutral (Node and Bun).
 *
 * - Opening connects, creates the keyspace if missing (NetworkTopologyStrategy) and applies migrations
 *   (`migrate.ts`), refusing keyspaces from newer versions; then it checks that stored secrets were sealed with
 *   the configured key.
 * - Every write carries an explicit, per-store monotonic timestamp, so the statements of a batch apply in order
 *   (CQL gives all statements of a batch one timestamp otherwise) and retries of timed-out writes are idempotent.
 * - `batch()` is one logged batch: all or nothing, even across partitions.
 * - Task listings come from memory while the cluster's `tasks_version` (set with every task write) is unchanged
 *   (`task-cache.ts`); `listTasksShared` hands out the cached records themselves, decoded once per version.
 * - Run history and progress rows expire after SM's 180 days (`USING TTL`); validate_backup_run_progress never.
 * - Secrets are AES-256-GCM sealed exactly as in the SQLite store (`../sqlite/crypto.ts`).
 * @module
 */
import { randomUUID } from "node:crypto";
import cassandra from "cassandra-driver";
import { StoreError } from "../../errors.ts";
import { compareText, idFromSortKey, timeSortKey } from "../keys.ts";
import { createSecretCipher, SECRET_ALGORITHM } from "../sqlite/crypto.ts";
import type {
  ClusterRecord,
  ProgressRow,
  RunRecord,
  Store,
  StoreWrite,
  TaskFilter,
  TaskRecord,
  TaskStatus,
} from "../store.ts";
import {
  type CqlConnectOptions,
  createCqlClient,
  describeTarget,
  isTransient,
  isUnavailable,
  resolveConsistency,
  toCqlStoreError,
} from "./connect.ts";
import { migrateCqlStore } from "./migrate.ts";
import { type CqlMigration, NO_TTL_KINDS, quoteIdent, RUN_TTL_SECONDS } from "./schema.ts";
import { createTaskCache } from "./task-cache.ts";

export interface CqlStoreOptions extends CqlConnectOptions {
  /** The 32-byte AES-256 key that encrypts secrets (see `resolveSecretKey`); every server of a store needs the same. */
  secretKey: Uint8Array;
  /** TTL of run and progress rows, seconds. Default SM's 180 days; tests shorten it. */
  runTtlSeconds?: number;
  /** The migrations this build knows and applies. Default CQL_MIGRATIONS; the upgrade test adds a pending one. */
  migrations?: readonly CqlMigration[];
}

/** A CQL store, plus what the leader lease and benches need. */
export interface CqlStore extends Store {
  /** The connected driver client (lease, import, benches). */
  readonly client: cassandra.Client;
  /** The quoted keyspace, for statements outside the Store interface. */
  readonly keyspace: string;
  /** `cql://hosts/keyspace`. */
  readonly target: string;
  /** Migrations this open applied (empty when another server or an earlier start did). */
  readonly applied: string[];
}

/** How long transient failures of one store operation are retried, ms (at least twice the query timeout). */
const RETRY_BUDGET_MS = 15_000;

interface Stmt {
  query: string;
  params: unknown[];
}

const json = (value: unknown): string => {
  const text = JSON.stringify(value ?? null);
  return text === undefined ? "null" : text;
};

/**
 * Opens the CQL store, creating and migrating the keyspace as needed.
 * @throws StoreError naming the database (hosts tried and why, wrong credentials, a newer keyspace, a wrong key).
 */
export async function openCqlStore(options: CqlStoreOptions): Promise<CqlStore> {
  const cipher = createSecretCipher(options.secretKey);
  const target = describeTarget(options);
  if (options.hosts.length === 0) {
    throw new StoreError(`open store ${target}: no database hosts configured`, { hint: "set database.hosts" });
  }
  resolveConsistency(options); // validates the override before connecting
  const client = createCqlClient(options);
  let applied: string[];
  try {
    await client.connect();
    applied = await migrateCqlStore(client, options);
  } catch (error) {
    await client.shutdown().catch(() => undefined);
    throw toCqlStoreError("open store", options, error);
  }
  const ks = quoteIdent(options.keyspace);
  try {
    for await (const row of await client.execute(`SELECT key_id FROM ${ks}.secrets`)) {
      const keyId = String(row.get("key_id"));
      if (keyId !== cipher.keyId) {
        throw new StoreError(
          `open store ${target}: its secrets were encrypted with key ${keyId}, but the configured key is ${cipher.keyId}`,
          {
            hint: "configure the key the other servers of this store use (secret_key or secret_key_file); the store was not changed",
          },
        );
      }
    }
  } catch (error) {
    await client.shutdown().catch(() => undefined);
    throw toCqlStoreError("open store", options, error);
  }
  return createCqlStore(client, options, applied, cipher);
}

function createCqlStore(
  client: cassandra.Client,
  o: CqlStoreOptions,
  applied: string[],
  cipher: ReturnType<typeof createSecretCipher>,
): CqlStore {
  const ks = quoteIdent(o.keyspace);
  const target = describeTarget(o);
  const runTtl = o.runTtlSeconds ?? RUN_TTL_SECONDS;
  const retryBudgetMs = Math.max(RETRY_BUDGET_MS, 2 * (o.timeoutMs ?? 1000));
  const { consistency } = resolveConsistency(o);
  const fallbackConsistency = o.localDc ? cassandra.types.consistencies.localOne : cassandra.types.consistencies.one;
  const ttlFor = (kind: string) => (NO_TTL_KINDS.has(kind) ? 0 : runTtl);
  let closed = false;
  let lastMicros = 0n;
  /** Microseconds since the epoch, strictly increasing within this store. */
  const nextTimestamp = (): cassandra.types.Long => {
    const now = BigInt(Date.now()) * 1000n;
    lastMicros = now > lastMicros ? now : lastMicros + 1n;
    return cassandra.types.Long.fromString(lastMicros.toString());
  };

  function guard(action: string): void {
    if (closed) throw new StoreError(`${action}: store ${target} is closed`, { hint: "open the store again" });
  }

  /**
   * Runs an idempotent statement, retrying transient failures (timeouts, too few replicas) for a while: when a node
   * dies, coordinators keep sending to it until gossip convicts it (10 s or more on a busy machine), and writes
   * that need it (a logged batch's batchlog replicas) time out meanwhile. At least four attempts.
   */
  async function run<T>(action: string, fn: () => Promise<T>): Promise<T> {
    guard(action);
    const until = Date.now() + retryBudgetMs;
    let wait = 100;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        if ((attempt >= 4 && Date.now() + wait > until) || closed || !isTransient(error)) {
          throw toCqlStoreError(action, o, error);
        }
        await new Promise((r) => setTimeout(r, wait));
        wait = Math.min(wait * 3, 2_000);
      }
    }
  }

  const exec = (action: string, query: string, params: unknown[]) =>
    run(action, () => client.execute(query, params, { prepare: true, isIdempotent: true }));

  /**
   * A read. When the coordinator answers that too few replicas are alive for the store's consistency (a store that
   * lost quorum), the read is answered at ONE (LOCAL_ONE with a local DC) instead: the server keeps showing what it
   * can, possibly stale. Writes never lower their consistency.
   */
  async function all(action: string, query: string, params: unknown[]): Promise<cassandra.types.Row[]> {
    const read = async (consistency?: number) => {
      const rows: cassandra.types.Row[] = [];
      const options = { prepare: true, isIdempotent: true, ...(consistency === undefined ? {} : { consistency }) };
      for await (const row of await client.execute(query, params, options)) rows.push(row);
      return rows;
    };
    return run(action, async () => {
      try {
        return await read();
      } catch (error) {
        if (!isUnavailable(error) || fallbackConsistency === consistency) throw error;
        return read(fallbackConsistency);
      }
    });
  }

  /** The statements of one write (values serialised here, so a bad value fails before anything is sent). */
  function statements(write: StoreWrite): Stmt[] {
    const ts = () => nextTimestamp();
    switch (write.op) {
      case "putCluster":
        return [
          {
            query: `INSERT INTO ${ks}.cluster (id, doc) VALUES (?, ?) USING TIMESTAMP ?`,
            params: [write.cluster.id, json(write.cluster), ts()],
          },
        ];
      case "putDrawer":
        return [
          {
            query: `INSERT INTO ${ks}.drawer (cluster_id, key, value) VALUES (?, ?, ?) USING TIMESTAMP ?`,
            params: [write.clusterId, write.key, json(write.value), ts()],
          },
        ];
      case "deleteDrawer":
        return [
          {
            query: `DELETE FROM ${ks}.drawer USING TIMESTAMP ? WHERE cluster_id = ? AND key = ?`,
            params: [ts(), write.clusterId, write.key],
          },
        ];
      case "putTask": {
        const t = write.task;
        return [
          {
            query: `INSERT INTO ${ks}.scheduler_task (cluster_id, type, id, deleted, doc, tasks_version) VALUES (?, ?, ?, ?, ?, ?) USING TIMESTAMP ?`,
            params: [t.clusterId, t.type, t.id, t.deleted, json(t), randomUUID(), ts()],
          },
        ];
      }
      case "putRun": {
        const r = write.run;
        return [
          {
            query: `INSERT INTO ${ks}.scheduler_task_run (cluster_id, type, task_id, sort_key, status, doc) VALUES (?, ?, ?, ?, ?, ?) USING TTL ? AND TIMESTAMP ?`,
            params: [r.clusterId, r.type, r.taskId, timeSortKey(r.id), r.status, json(r), runTtl, ts()],
          },
        ];
      }
      case "putServiceRun": {
        const r = write.run;
        return [
          {
            query: `INSERT INTO ${ks}.service_run (kind, cluster_id, task_id, sort_key, value) VALUES (?, ?, ?, ?, ?) USING TTL ? AND TIMESTAMP ?`,
            params: [write.kind, r.clusterId, r.taskId, timeSortKey(r.runId), json(r.value), ttlFor(write.kind), ts()],
          },
        ];
      }
      case "putProgress":
        return write.rows.map((row) => ({
          query: `INSERT INTO ${ks}.service_run_progress (kind, cluster_id, task_id, run_id, key, value) VALUES (?, ?, ?, ?, ?, ?) USING TTL ? AND TIMESTAMP ?`,
          params: [
            write.kind,
            write.clusterId,
            write.taskId,
            write.runId,
            row.key,
            json(row.value),
            ttlFor(write.kind),
            ts(),
          ],
        }));
      case "deleteProgress":
        if (write.keys !== undefined) {
          return write.keys.map((key) => ({
            query: `DELETE FROM ${ks}.service_run_progress USING TIMESTAMP ? WHERE kind = ? AND cluster_id = ? AND task_id = ? AND run_id = ? AND key = ?`,
            params: [ts(), write.kind, write.clusterId, write.taskId, write.runId, key],
          }));
        }
        return [
          {
            query: `DELETE FROM ${ks}.service_run_progress USING TIMESTAMP ? WHERE kind = ? AND cluster_id = ? AND task_id = ? AND run_id = ?`,
            params: [ts(), write.kind, write.clusterId, write.taskId, write.runId],
          },
        ];
    }
  }

  async function send(action: string, stmts: Stmt[]): Promise<void> {
    if (stmts.length === 0) return guard(action);
    if (stmts.length === 1) {
      const [only] = stmts as [Stmt];
      await exec(action, only.query, only.params);
      return;
    }
    await run(action, () => client.batch(stmts, { prepare: true, logged: true, isIdempotent: true }));
  }

  const write = async (action: string, writes: StoreWrite[]) => {
    guard(action);
    await send(action, writes.flatMap(statements));
  };

  const docs = <T>(rows: cassandra.types.Row[]): T[] =>
    rows.flatMap((row) => {
      const doc = row.get("doc") as string | null;
      return doc === null ? [] : [JSON.parse(doc) as T];
    });
  const byTaskOrder = (a: TaskRecord, b: TaskRecord) =>
    compareText(a.clusterId, b.clusterId) || compareText(a.type, b.type) || compareText(a.id, b.id);
  const filterTasks = (list: readonly TaskRecord[], filter: TaskFilter) =>
    list.filter((t) => (filter.type === undefined || t.type === filter.type) && (filter.includeDeleted || !t.deleted));
  const context = (clusterId: string, key: string) => `${clusterId}\u0000${key}`;
  const limitClause = (limit: number) => (limit > 0 ? ` LIMIT ${Math.floor(limit)}` : "");
  const tasks = createTaskCache<TaskRecord>(
    {
      readVersion: async (clusterId) => {
        const [row] = await all(
          "list tasks",
          `SELECT tasks_version FROM ${ks}.scheduler_task WHERE cluster_id = ? LIMIT 1`,
          [clusterId],
        );
        return (row?.get("tasks_version") as string | null | undefined) ?? null;
      },
      readVersions: async () =>
        (await all("list tasks", `SELECT DISTINCT cluster_id, tasks_version FROM ${ks}.scheduler_task`, [])).map(
          (row) => ({
            clusterId: String(row.get("cluster_id")),
            version: (row.get("tasks_version") as string | null) ?? null,
          }),
        ),
      readTasks: async (clusterId) => {
        const rows = await all(
          "list tasks",
          `SELECT tasks_version, doc FROM ${ks}.scheduler_task WHERE cluster_id = ?`,
          [clusterId],
        );
        return {
          version: (rows[0]?.get("tasks_version") as string | null | undefined) ?? null,
          docs: rows.flatMap((row) => {
            const doc = row.get("doc") as string | null;
            return doc === null ? [] : [doc];
          }),
        };
      },
    },
    { order: byTaskOrder },
  );

  return {
    client,
    keyspace: ks,
    target,
    applied,

    putCluster: (cluster) => write("put cluster", [{ op: "putCluster", cluster }]),
    getCluster: async (id) =>
      docs<ClusterRecord>(await all("get cluster", `SELECT doc FROM ${ks}.cluster WHERE id = ?`, [id]))[0],
    listClusters: async () =>
      docs<ClusterRecord>(await all("list clusters", `SELECT doc FROM ${ks}.cluster`, [])).sort((a, b) =>
        compareText(a.id, b.id),
      ),
    deleteCluster: async (id) => {
      await exec("delete cluster", `DELETE FROM ${ks}.cluster USING TIMESTAMP ? WHERE id = ?`, [nextTimestamp(), id]);
    },

    putSecret: async (clusterId, key, value) => {
      guard("put secret");
      const sealed = cipher.seal(value, context(clusterId, key));
      await exec(
        "put secret",
        `INSERT INTO ${ks}.secrets (cluster_id, key, alg, key_id, nonce, data) VALUES (?, ?, ?, ?, ?, ?) USING TIMESTAMP ?`,
        [
          clusterId,
          key,
          SECRET_ALGORITHM,
          sealed.keyId,
          Buffer.from(sealed.nonce),
          Buffer.from(sealed.data),
          nextTimestamp(),
        ],
      );
    },
    getSecret: async (clusterId, key) => {
      const [row] = await all(
        "get secret",
        `SELECT key_id, nonce, data FROM ${ks}.secrets WHERE cluster_id = ? AND key = ?`,
        [clusterId, key],
      );
      if (!row) return undefined;
      const nonce = row.get("nonce") as Buffer | null;
      const data = row.get("data") as Buffer | null;
      return cipher.open(
        {
          keyId: String(row.get("key_id")),
          nonce: new Uint8Array(nonce ?? []),
          data: new Uint8Array(data ?? []),
        },
        context(clusterId, key),
      );
    },
    deleteSecret: async (clusterId, key) => {
      await exec("delete secret", `DELETE FROM ${ks}.secrets USING TIMESTAMP ? WHERE cluster_id = ? AND key = ?`, [
        nextTimestamp(),
        clusterId,
        key,
      ]);
    },
    deleteSecrets: async (clusterId) => {
      await exec("delete secrets", `DELETE FROM ${ks}.secrets USING TIMESTAMP ? WHERE cluster_id = ?`, [
        nextTimestamp(),
        clusterId,
      ]);
    },

    putDrawer: (clusterId, key, value) => write("put drawer", [{ op: "putDrawer", clusterId, key, value }]),
    getDrawer: async (clusterId, key) => {
      const [row] = await all("get drawer", `SELECT value FROM ${ks}.drawer WHERE cluster_id = ? AND key = ?`, [
        clusterId,
        key,
      ]);
      return row ? (JSON.parse(String(row.get("value"))) as unknown) : undefined;
    },
    deleteDrawer: (clusterId, key) => write("delete drawer", [{ op: "deleteDrawer", clusterId, key }]),

    putTask: (task) => write("put task", [{ op: "putTask", task }]),
    getTask: async (clusterId, type, id) =>
      docs<TaskRecord>(
        await all("get task", `SELECT doc FROM ${ks}.scheduler_task WHERE cluster_id = ? AND type = ? AND id = ?`, [
          clusterId,
          type,
          id,
        ]),
      )[0],
    listTasks: async (clusterId, filter = {}) =>
      filterTasks(
        (await tasks.ofCluster(clusterId)).map((doc) => JSON.parse(doc) as TaskRecord),
        filter,
      ).sort(byTaskOrder),
    listAllTasks: async (filter = {}) =>
      filterTasks(
        (await tasks.all()).map((doc) => JSON.parse(doc) as TaskRecord),
        filter,
      ).sort(byTaskOrder),
    listTasksShared: async (clusterId, filter = {}) =>
      clusterId === undefined
        ? filterTasks(await tasks.sharedAll(), filter).sort(byTaskOrder)
        : filterTasks(await tasks.sharedOfCluster(clusterId), filter),

    putRun: (run) => write("put run", [{ op: "putRun", run }]),
    getRun: async (clusterId, type, taskId, runId) =>
      docs<RunRecord>(
        await all(
          "get run",
          `SELECT doc FROM ${ks}.scheduler_task_run WHERE cluster_id = ? AND type = ? AND task_id = ? AND sort_key = ?`,
          [clusterId, type, taskId, timeSortKey(runId)],
        ),
      )[0],
    listRuns: async (clusterId, type, taskId, limit) =>
      docs<RunRecord>(
        await all(
          "list runs",
          `SELECT doc FROM ${ks}.scheduler_task_run WHERE cluster_id = ? AND type = ? AND task_id = ?${limitClause(limit)}`,
          [clusterId, type, taskId],
        ),
      ),
    listRunsByStatus: async (status: TaskStatus) =>
      docs<RunRecord>(
        await all("list runs", `SELECT doc FROM ${ks}.scheduler_task_run WHERE status = ?`, [status]),
      ).sort(
        (a, b) =>
          compareText(a.clusterId, b.clusterId) ||
          compareText(a.type, b.type) ||
          compareText(a.taskId, b.taskId) ||
          compareText(timeSortKey(b.id), timeSortKey(a.id)),
      ),

    putServiceRun: (kind, run) => write("put service run", [{ op: "putServiceRun", kind, run }]),
    getServiceRun: async (kind, clusterId, taskId, runId) => {
      const [row] = await all(
        "get service run",
        `SELECT value FROM ${ks}.service_run WHERE kind = ? AND cluster_id = ? AND task_id = ? AND sort_key = ?`,
        [kind, clusterId, taskId, timeSortKey(runId)],
      );
      return row ? { clusterId, taskId, runId, value: JSON.parse(String(row.get("value"))) as unknown } : undefined;
    },
    listServiceRuns: async (kind, clusterId, taskId, limit) =>
      (
        await all(
          "list service runs",
          `SELECT sort_key, value FROM ${ks}.service_run WHERE kind = ? AND cluster_id = ? AND task_id = ?${limitClause(limit)}`,
          [kind, clusterId, taskId],
        )
      ).map((row) => ({
        clusterId,
        taskId,
        runId: idFromSortKey(String(row.get("sort_key"))),
        value: JSON.parse(String(row.get("value"))) as unknown,
      })),
    putProgress: async (kind, clusterId, taskId, runId, rows: ProgressRow[]) => {
      guard("put progress");
      // One partition: a batch applies atomically; big ones go in slices under the servers' batch size limit.
      const stmts = statements({ op: "putProgress", kind, clusterId, taskId, runId, rows });
      let slice: Stmt[] = [];
      let bytes = 0;
      for (const stmt of stmts) {
        const size = String(stmt.params[5]).length + String(stmt.params[4]).length;
        if (slice.length > 0 && bytes + size > 32 * 1024) {
          await send("put progress", slice);
          slice = [];
          bytes = 0;
        }
        slice.push(stmt);
        bytes += size;
      }
      await send("put progress", slice);
    },
    listProgress: async (kind, clusterId, taskId, runId) =>
      (
        await all(
          "list progress",
          `SELECT key, value FROM ${ks}.service_run_progress WHERE kind = ? AND cluster_id = ? AND task_id = ? AND run_id = ?`,
          [kind, clusterId, taskId, runId],
        )
      ).map((row) => ({ key: String(row.get("key")), value: JSON.parse(String(row.get("value"))) as unknown })),
    deleteProgress: (kind, clusterId, taskId, runId, keys) =>
      write("delete progress", [{ op: "deleteProgress", kind, clusterId, taskId, runId, ...(keys ? { keys } : {}) }]),

    batch: (writes) => write("write batch", writes),

    close: async () => {
      if (closed) return;
      closed = true;
      await client.shutdown().catch(() => undefined);
    },
  };
}
