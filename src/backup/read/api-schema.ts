/**
 * The shapes of the backup read answers (`GET /cluster/{cluster_id}/backups`, `.../backups/files`,
 * `.../backups/schema`) as valibot schemas: the served `openapi.json` is generated from them, and `describes<>`
 * fails the build when the builders' types (list-backups.ts, list-files.ts, schema.ts) gain a key or change a type
 * the schema does not describe. Names and types follow SM's API (`pkg/restapi/backup.go`).
 * @module
 */
import * as v from "valibot";
import { describes } from "../../util/describes.ts";
import type { FilesMeta } from "../layout/manifest.ts";
import type { BackupListItem, BackupListUnit, SnapshotInfo } from "./list-backups.ts";
import type { BackupFilesInfo } from "./list-files.ts";
import type { DescribedSchemaRow } from "./schema.ts";

const integer = () => v.pipe(v.number(), v.integer());

export const SnapshotInfoSchema = describes<SnapshotInfo>()(
  v.object({ snapshot_tag: v.string(), nodes: integer(), size: v.pipe(integer(), v.description("bytes")) }),
);

export const BackupUnitSchema = describes<BackupListUnit>()(
  v.object({ keyspace: v.string(), tables: v.nullable(v.array(v.string())), all_tables: v.boolean() }),
);

export const BackupListItemSchema = describes<BackupListItem>()(
  v.object({
    cluster_id: v.string(),
    task_id: v.string(),
    units: v.nullable(v.array(BackupUnitSchema)),
    snapshot_info: v.nullable(v.array(SnapshotInfoSchema)),
  }),
);

/** One table's files of a snapshot (SM's `FilesMeta`). */
export const FilesMetaSchema = describes<FilesMeta>()(
  v.object({
    keyspace: v.string(),
    table: v.string(),
    replication_type: v.string(),
    version: v.string(),
    files: v.nullable(v.array(v.string())),
    size: integer(),
    scylla_manifests: v.nullable(v.array(v.string())),
    path: v.optional(v.pipe(v.string(), v.description("the sst version directory; omitted when empty"))),
  }),
);

export const BackupFilesInfoSchema = describes<BackupFilesInfo>()(
  v.object({ location: v.string(), schema: v.string(), files: v.nullable(v.array(FilesMetaSchema)) }),
);

export const BackupDescribeSchemaItemSchema = describes<DescribedSchemaRow>()(
  v.object({ keyspace: v.string(), type: v.string(), name: v.string(), cql_stmt: v.string() }),
);

export const BackupDescribeSchemaSchema = v.object({ schema: v.nullable(v.array(BackupDescribeSchemaItemSchema)) });
