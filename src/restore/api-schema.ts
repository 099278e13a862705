/**
 * The shapes of the restore answers (`restoreTargetJson` in target-json.ts, `aggregateRestoreProgress` in
 * progress.ts) as valibot schemas: the served `openapi.json` is generated from them, and `describes<>` fails the
 * build when a builder's type gains a key or changes a type the schema does not describe. Names and types follow
 * what SM's server sends (`pkg/service/restore/model.go`): the target's `Units`, `Views` and `Size` are capitalised
 * there (Go fields without JSON tags), unlike SM's swagger.
 * @module
 */
import * as v from "valibot";
import { RepairProgressSchema } from "../repair/api-schema.ts";
import type { RepairProgress } from "../repair/progress.ts";
import { describes } from "../util/describes.ts";
import type { RestoreTableUnit, RestoreUnit, RestoreView } from "./model.ts";
import type { One2OneProgress } from "./one2one/progress.ts";
import type {
  RestoreHostProgress,
  RestoreKeyspaceProgress,
  RestoreProgress,
  RestoreTableProgress,
} from "./progress.ts";

const integer = () => v.pipe(v.number(), v.integer());
const bytes = () => v.pipe(integer(), v.description("bytes"));
const time = () => v.nullable(v.pipe(v.string(), v.description("RFC 3339 date-time; null while unset")));
const list = () => v.array(v.string());

export const RestoreTableSchema = describes<RestoreTableUnit>()(
  v.object({ table: v.string(), tombstone_gc: v.string(), size: bytes() }),
);
export const RestoreUnitSchema = describes<RestoreUnit>()(
  v.object({ keyspace: v.string(), size: bytes(), tables: v.array(RestoreTableSchema) }),
);
export const RestoreViewSchema = describes<Omit<RestoreView, "status">>()(
  v.object({
    keyspace: v.string(),
    view: v.string(),
    type: v.picklist(["MaterializedView", "SecondaryIndex"]),
    base_table: v.string(),
    create_stmt: v.string(),
  }),
);

/** SM's RestoreTarget as its server sends it (GET /cluster/{cluster_id}/tasks/restore/target). */
export const RestoreTargetJsonSchema = v.object({
  cluster_id: v.string(),
  location: list(),
  snapshot_tag: v.string(),
  transfers: integer(),
  unpin_agent_cpu: v.boolean(),
  continue: v.boolean(),
  dc_mapping: v.nullable(v.record(v.string(), v.string())),
  keyspace: v.optional(list()),
  batch_size: v.optional(integer()),
  parallel: v.optional(integer()),
  rate_limit: v.optional(list()),
  allow_compaction: v.optional(v.boolean()),
  restore_schema: v.optional(v.boolean()),
  restore_tables: v.optional(v.boolean()),
  method: v.string(),
  Units: v.array(RestoreUnitSchema),
  Views: v.array(RestoreViewSchema),
  Size: bytes(),
});

const BASE = {
  size: bytes(),
  restored: bytes(),
  downloaded: bytes(),
  failed: bytes(),
  started_at: time(),
  completed_at: time(),
};

export const RestoreTableProgressSchema = describes<RestoreTableProgress>()(
  v.object({ table: v.string(), tombstone_gc: v.string(), error: v.optional(v.string()), ...BASE }),
);
export const RestoreKeyspaceProgressSchema = describes<RestoreKeyspaceProgress>()(
  v.object({ keyspace: v.string(), tables: v.array(RestoreTableProgressSchema), ...BASE }),
);
export const RestoreHostProgressSchema = describes<RestoreHostProgress>()(
  v.object({
    host: v.string(),
    shard_cnt: integer(),
    restored_bytes: bytes(),
    restore_duration: v.pipe(integer(), v.description("ms")),
    downloaded_bytes: bytes(),
    download_duration: v.pipe(integer(), v.description("ms")),
    streamed_bytes: bytes(),
    stream_duration: v.pipe(integer(), v.description("ms")),
  }),
);
export const RestoreViewProgressSchema = describes<RestoreView>()(
  v.object({ ...RestoreViewSchema.entries, status: v.optional(v.string()) }),
);

/** SM's RestoreProgress; `repair_progress` is the post-restore repair's (null until it starts). */
export const RestoreProgressSchema = describes<RestoreProgress & { repair_progress: RepairProgress | null }>()(
  v.object({
    snapshot_tag: v.string(),
    stage: v.string(),
    keyspaces: v.optional(v.array(RestoreKeyspaceProgressSchema)),
    hosts: v.optional(v.array(RestoreHostProgressSchema)),
    views: v.optional(v.array(RestoreViewProgressSchema)),
    repair_progress: v.nullable(RepairProgressSchema),
    ...BASE,
  }),
);

const ONE2ONE_STATUS = v.picklist(["not_started", "in_progress", "done", "failed"]);

const ONE2ONE_BASE = {
  started_at: time(),
  completed_at: time(),
  size: bytes(),
  restored: bytes(),
  status: v.string(),
  keyspace: v.string(),
};

/** SM's One2OneRestoreProgress (1_1_restore); Go's nil slices (no rows yet) are null. */
export const One2OneRestoreProgressSchema = describes<One2OneProgress>()(
  v.object({
    tables: v.nullable(v.array(v.object({ ...ONE2ONE_BASE, status: ONE2ONE_STATUS, table: v.string() }))),
    views: v.nullable(
      v.array(
        v.object({
          ...ONE2ONE_BASE,
          status: ONE2ONE_STATUS,
          table: v.string(),
          view: v.string(),
          view_type: v.string(),
        }),
      ),
    ),
  }),
);
