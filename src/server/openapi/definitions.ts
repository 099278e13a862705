/**
 * Every named schema of the served document, keyed by the name it has under `definitions` (SM's names where SM has
 * the shape). Each is the valibot schema a route validates its input with, or the one that describes (and types) the
 * JSON a builder answers with, imported from beside that builder.
 * @module
 */
import * as v from "valibot";
import {
  BackupProgressSchema,
  BackupTargetJsonSchema,
  HostProgressSchema,
  KeyspaceProgressSchema,
  TableProgressSchema,
  ValidateBackupProgressSchema,
} from "../../backup/api-schema.ts";
import {
  BackupDescribeSchemaItemSchema,
  BackupDescribeSchemaSchema,
  BackupFilesInfoSchema,
  BackupListItemSchema,
  BackupUnitSchema,
  FilesMetaSchema,
  SnapshotInfoSchema,
} from "../../backup/read/api-schema.ts";
import { ClusterInputSchema, ClusterJsonSchema } from "../../cluster/model.ts";
import { NodeStatusJsonSchema } from "../../healthcheck/model.ts";
import { TaskUpdateSchema } from "../../manager/task-json.ts";
import {
  runProgressSchema,
  ScheduleJsonSchema,
  TaskJsonSchema,
  TaskListItemJsonSchema,
  TaskRunJsonSchema,
} from "../../manager/task-json-schema.ts";
import {
  HostRepairProgressSchema,
  RepairProgressSchema,
  RepairTargetSchema,
  RepairUnitSchema,
  TableRepairProgressSchema,
  TabletRepairProgressSchema,
  TabletRepairTableProgressSchema,
} from "../../repair/api-schema.ts";
import {
  One2OneRestoreProgressSchema,
  RestoreHostProgressSchema,
  RestoreKeyspaceProgressSchema,
  RestoreProgressSchema,
  RestoreTableProgressSchema,
  RestoreTableSchema,
  RestoreTargetJsonSchema,
  RestoreUnitSchema,
  RestoreViewProgressSchema,
  RestoreViewSchema,
} from "../../restore/api-schema.ts";
import { ErrorResponseSchema } from "../errors.ts";
import { LeaderSchema } from "../routes/leader.ts";
import { SuspendDetailsSchema, SuspendedSchema } from "../routes/suspend.ts";
import { CreateTaskSchema } from "../routes/tasks.ts";
import { VersionSchema } from "../routes/version.ts";

/** `{run, progress}` answers of GET /cluster/{cluster_id}/task/{type}/{task_id}/{run_id}, per task type. */
export const RUN_PROGRESS = {
  repair: runProgressSchema(RepairProgressSchema),
  tablet_repair: runProgressSchema(TabletRepairProgressSchema),
  backup: runProgressSchema(BackupProgressSchema),
  restore: runProgressSchema(RestoreProgressSchema),
  validate_backup: runProgressSchema(v.array(ValidateBackupProgressSchema)),
  "1_1_restore": runProgressSchema(One2OneRestoreProgressSchema),
} as const;

/** The answer of GET /cluster/{cluster_id}/status. */
export const ClusterStatusSchema = v.array(NodeStatusJsonSchema);

export const DEFINITIONS = {
  ErrorResponse: ErrorResponseSchema,
  Version: VersionSchema,
  Leader: LeaderSchema,
  Cluster: ClusterJsonSchema,
  ClusterUpdate: ClusterInputSchema,
  ClusterStatus: ClusterStatusSchema,
  NodeStatus: NodeStatusJsonSchema,
  Schedule: ScheduleJsonSchema,
  Task: TaskJsonSchema,
  TaskListItem: TaskListItemJsonSchema,
  TaskUpdate: TaskUpdateSchema,
  TaskCreate: CreateTaskSchema,
  TaskRun: TaskRunJsonSchema,
  TaskRunRepairProgress: RUN_PROGRESS.repair,
  TaskRunTabletRepairProgress: RUN_PROGRESS.tablet_repair,
  TaskRunBackupProgress: RUN_PROGRESS.backup,
  TaskRunRestoreProgress: RUN_PROGRESS.restore,
  TaskRunValidateBackupProgress: RUN_PROGRESS.validate_backup,
  TaskRunOne2OneRestoreProgress: RUN_PROGRESS["1_1_restore"],
  RepairTarget: RepairTargetSchema,
  RepairUnit: RepairUnitSchema,
  RepairProgress: RepairProgressSchema,
  HostRepairProgress: HostRepairProgressSchema,
  TableRepairProgress: TableRepairProgressSchema,
  TabletRepairProgress: TabletRepairProgressSchema,
  TabletRepairTableProgress: TabletRepairTableProgressSchema,
  BackupTarget: BackupTargetJsonSchema,
  BackupUnit: BackupUnitSchema,
  BackupProgress: BackupProgressSchema,
  HostProgress: HostProgressSchema,
  KeyspaceProgress: KeyspaceProgressSchema,
  TableProgress: TableProgressSchema,
  ValidateBackupProgress: ValidateBackupProgressSchema,
  BackupListItem: BackupListItemSchema,
  SnapshotInfo: SnapshotInfoSchema,
  BackupFilesInfo: BackupFilesInfoSchema,
  FilesMeta: FilesMetaSchema,
  BackupDescribeSchema: BackupDescribeSchemaSchema,
  BackupDescribeSchemaItem: BackupDescribeSchemaItemSchema,
  RestoreTarget: RestoreTargetJsonSchema,
  RestoreUnit: RestoreUnitSchema,
  RestoreTable: RestoreTableSchema,
  RestoreView: RestoreViewSchema,
  RestoreProgress: RestoreProgressSchema,
  RestoreKeyspaceProgress: RestoreKeyspaceProgressSchema,
  RestoreTableProgress: RestoreTableProgressSchema,
  RestoreHostProgress: RestoreHostProgressSchema,
  RestoreViewProgress: RestoreViewProgressSchema,
  One2OneRestoreProgress: One2OneRestoreProgressSchema,
  Suspended: SuspendedSchema,
  SuspendDetails: SuspendDetailsSchema,
} satisfies Record<string, v.GenericSchema>;
