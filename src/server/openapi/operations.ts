/**
 * Every operation the REST API serves under `/api/v1`, as data the served document is generated from: its path and
 * method, parameters (valibot schemas; the routes' own where they validate with one), request body (the schema the
 * route parses the body with) and answers (the schemas beside the builders of the JSON, see definitions.ts).
 * `openapi.test.ts` checks that this table and the routes registered on the app list the same operations.
 * @module
 */
import * as v from "valibot";
import { ClusterInputSchema, ClusterJsonSchema } from "../../cluster/model.ts";
import { TaskUpdateSchema } from "../../manager/task-json.ts";
import { TASK_STATUSES, TASK_TYPES } from "../../scheduler/model.ts";
import { ErrorResponseSchema } from "../errors.ts";
import { SUSPEND_POLICIES } from "../routes/suspend.ts";
import { HistoryQuerySchema } from "../routes/task.ts";
import { CreateTaskSchema } from "../routes/tasks.ts";
import { ClusterStatusSchema, DEFINITIONS, RUN_PROGRESS } from "./definitions.ts";

/** A path or query parameter. */
export interface Parameter {
  name: string;
  in: "path" | "query";
  schema: v.GenericSchema;
  required?: boolean;
  description?: string;
}

/** One answer: a status, its meaning and the schema of its body (none: empty body). */
export interface Answer {
  description: string;
  schema?: v.GenericSchema;
}

/** One documented operation. */
export interface Operation {
  method: "get" | "post" | "put" | "delete";
  /** swagger path under the base path, `{name}` for path parameters. */
  path: string;
  summary: string;
  parameters?: Parameter[];
  body?: { name: string; schema: v.GenericSchema; required?: boolean; description?: string };
  answers: Record<string, Answer>;
  /** Beyond SM's API (listed by the compatibility test too). */
  extension?: true;
}

const flag = () => v.boolean();
const text = () => v.string();
const csv = () => v.pipe(v.array(v.string()), v.description("comma-separated"));
const uuid = () => v.pipe(v.string(), v.uuid());

const clusterId: Parameter = {
  name: "cluster_id",
  in: "path",
  schema: v.pipe(v.string(), v.description("the cluster's UUID or name")),
  required: true,
};
const taskType: Parameter = { name: "task_type", in: "path", schema: v.picklist(TASK_TYPES), required: true };
const taskId: Parameter = { name: "task_id", in: "path", schema: uuid(), required: true };
const runId: Parameter = {
  name: "run_id",
  in: "path",
  schema: v.pipe(v.string(), v.description("a run's UUID, `latest`, or `~N` (the Nth run before the latest)")),
  required: true,
};
const query = (name: string, schema: v.GenericSchema, extra: Partial<Parameter> = {}): Parameter => ({
  name,
  in: "query",
  schema,
  ...extra,
});

const ok = (schema?: v.GenericSchema, description = "OK"): Answer =>
  schema ? { description, schema } : { description };
const EMPTY = { "200": ok() };

const CLUSTER = "/cluster/{cluster_id}";
const TASK = `${CLUSTER}/task/{task_type}/{task_id}`;
const BACKUPS = `${CLUSTER}/backups`;
const SUSPENDED = `${CLUSTER}/suspended`;

const backupFilter = [
  query("locations", csv(), { description: "backup locations; default: those of the cluster's backup tasks" }),
  query("query_cluster_id", text(), { description: "the cluster the backups were taken of (UUID or this name)" }),
  query("keyspace", csv(), { description: "keyspace.table glob patterns" }),
  query("snapshot_tag", text()),
  query("min_date", v.pipe(v.string(), v.isoTimestamp())),
  query("max_date", v.pipe(v.string(), v.isoTimestamp())),
];

const targets = (["repair", "backup", "restore"] as const).map(
  (type): Operation => ({
    method: "get",
    path: `${CLUSTER}/tasks/${type}/target`,
    summary: `The ${type} task's target for a TaskUpdate in the body (a dry run; nothing is stored)`,
    parameters: [clusterId],
    body: { name: "taskFields", schema: TaskUpdateSchema },
    answers: {
      "200": ok(
        { repair: DEFINITIONS.RepairTarget, backup: DEFINITIONS.BackupTarget, restore: DEFINITIONS.RestoreTarget }[
          type
        ],
      ),
    },
  }),
);

const progress = (Object.keys(RUN_PROGRESS) as (keyof typeof RUN_PROGRESS)[]).map(
  (type): Operation => ({
    method: "get",
    path: `${CLUSTER}/task/${type}/{task_id}/{run_id}`,
    summary: `A ${type} run and its progress`,
    parameters: [clusterId, taskId, runId],
    answers: { "200": ok(RUN_PROGRESS[type]) },
  }),
);

/** Every operation under the base path. */
export const OPERATIONS: readonly Operation[] = [
  { method: "get", path: "/version", summary: "The server's version", answers: { "200": ok(DEFINITIONS.Version) } },
  {
    method: "get",
    path: "/leader",
    summary: "Which server leads when several share one CQL store",
    answers: { "200": ok(DEFINITIONS.Leader) },
    extension: true,
  },
  {
    method: "get",
    path: "/openapi.json",
    summary: "This document",
    answers: { "200": { description: "swagger 2.0 document" } },
    extension: true,
  },
  { method: "get", path: "/clusters", summary: "All clusters", answers: { "200": ok(v.array(ClusterJsonSchema)) } },
  {
    method: "post",
    path: "/clusters",
    summary: "Adds a cluster (its id is in the Location header)",
    body: { name: "cluster", schema: ClusterInputSchema, required: true },
    answers: { "201": ok(undefined, "Created") },
  },
  {
    method: "get",
    path: CLUSTER,
    summary: "A cluster",
    parameters: [clusterId],
    answers: { "200": ok(ClusterJsonSchema) },
  },
  {
    method: "put",
    path: CLUSTER,
    summary: "Updates a cluster; answers the stored cluster (credentials never come back)",
    parameters: [clusterId],
    body: { name: "cluster", schema: ClusterInputSchema, required: true },
    answers: { "200": ok(ClusterJsonSchema) },
  },
  {
    method: "delete",
    path: CLUSTER,
    summary: "Deletes a cluster, or only the credentials the flags name",
    parameters: [
      clusterId,
      query("cql_creds", flag()),
      query("alternator_creds", flag()),
      query("ssl_user_cert", flag()),
    ],
    answers: EMPTY,
  },
  {
    method: "get",
    path: `${CLUSTER}/status`,
    summary: "Every node's status (pings of UN nodes only)",
    parameters: [clusterId],
    answers: { "200": ok(ClusterStatusSchema) },
  },
  {
    method: "get",
    path: `${CLUSTER}/tasks`,
    summary: "The cluster's tasks (null when there are none, as SM answers)",
    parameters: [
      clusterId,
      query("all", flag(), { description: "include disabled tasks" }),
      query("type", v.picklist(TASK_TYPES)),
      query("status", v.picklist(TASK_STATUSES)),
      query("short", flag(), { description: "only cluster_id, type, id and name" }),
      query("task_id", uuid()),
    ],
    answers: { "200": ok(v.nullable(v.array(DEFINITIONS.TaskListItem))) },
  },
  {
    method: "post",
    path: `${CLUSTER}/tasks`,
    summary: "Adds a task (its path is in the Location header)",
    parameters: [clusterId],
    body: { name: "taskFields", schema: CreateTaskSchema, required: true },
    answers: { "201": ok(undefined, "Created") },
  },
  ...targets,
  {
    method: "post",
    path: `${CLUSTER}/tasks/{task_type}/target`,
    summary: "The dry-run target of GET .../target, with the TaskUpdate in a POST body (works with every client)",
    parameters: [clusterId, { ...taskType, schema: v.picklist(["repair", "backup", "restore"]) }],
    body: { name: "taskFields", schema: TaskUpdateSchema },
    answers: { "200": { description: "the type's target (RepairTarget, BackupTarget or RestoreTarget)" } },
    extension: true,
  },
  {
    method: "get",
    path: TASK,
    summary: "A task",
    parameters: [clusterId, taskType, taskId],
    answers: { "200": ok(DEFINITIONS.Task) },
  },
  {
    method: "put",
    path: TASK,
    summary: "Updates a task",
    parameters: [clusterId, taskType, taskId],
    body: { name: "taskFields", schema: TaskUpdateSchema, required: true },
    answers: { "200": ok(DEFINITIONS.Task) },
  },
  {
    method: "delete",
    path: TASK,
    summary: "Deletes a task",
    parameters: [clusterId, taskType, taskId],
    answers: EMPTY,
  },
  {
    method: "put",
    path: `${TASK}/start`,
    summary: "Starts a task now",
    parameters: [
      clusterId,
      taskType,
      taskId,
      query("continue", flag(), { description: "resume the last run where it stopped (default true)" }),
    ],
    answers: EMPTY,
  },
  {
    method: "put",
    path: `${TASK}/stop`,
    summary: "Stops a task's run",
    parameters: [clusterId, taskType, taskId, query("disable", flag(), { description: "also disable the task" })],
    answers: EMPTY,
  },
  {
    method: "get",
    path: `${TASK}/history`,
    summary: "A task's runs, newest first",
    parameters: [clusterId, taskType, taskId, query("limit", HistoryQuerySchema.entries.limit)],
    answers: { "200": ok(v.array(DEFINITIONS.TaskRun)) },
  },
  ...progress,
  {
    method: "get",
    path: BACKUPS,
    summary: "The backups in the locations",
    parameters: [clusterId, ...backupFilter],
    answers: { "200": ok(v.array(DEFINITIONS.BackupListItem)) },
  },
  {
    method: "delete",
    path: BACKUPS,
    summary: "Deletes snapshots from the locations",
    parameters: [
      clusterId,
      query("snapshot_tags", csv(), { required: true }),
      query("locations", csv(), { description: "default: those of the cluster's backup tasks" }),
    ],
    answers: EMPTY,
  },
  {
    method: "get",
    path: `${BACKUPS}/files`,
    summary: "The files of a snapshot",
    parameters: [clusterId, ...backupFilter],
    answers: { "200": ok(v.array(DEFINITIONS.BackupFilesInfo)) },
  },
  {
    method: "get",
    path: `${BACKUPS}/schema`,
    summary: "The CQL schema saved with a snapshot",
    parameters: [
      clusterId,
      query("snapshot_tag", text(), { required: true }),
      query("location", text(), { required: true }),
      query("query_cluster_id", uuid()),
      query("query_task_id", uuid()),
    ],
    answers: { "200": ok(DEFINITIONS.BackupDescribeSchema) },
  },
  {
    method: "put",
    path: `${CLUSTER}/repairs/intensity`,
    summary: "Changes the running repair's intensity (404 when no repair runs)",
    parameters: [clusterId, query("intensity", v.number())],
    answers: EMPTY,
  },
  {
    method: "put",
    path: `${CLUSTER}/repairs/parallel`,
    summary: "Changes the running repair's parallelism (404 when no repair runs)",
    parameters: [clusterId, query("parallel", v.pipe(v.number(), v.integer()))],
    answers: EMPTY,
  },
  {
    method: "get",
    path: SUSPENDED,
    summary: "Whether the cluster is suspended",
    parameters: [clusterId],
    answers: { "200": ok(DEFINITIONS.Suspended) },
  },
  {
    method: "put",
    path: SUSPENDED,
    summary: "Suspends (true) or resumes (false) the cluster's tasks",
    parameters: [
      clusterId,
      query("start_tasks", flag(), { description: "on resume: start the tasks the suspension stopped" }),
      query("start_tasks_missed_activation", flag()),
      query("no_continue", flag()),
      query("allow_task_type", v.picklist(TASK_TYPES), { description: "on suspend: the type that may still run" }),
      query("suspend_policy", v.picklist(SUSPEND_POLICIES)),
    ],
    body: { name: "suspended", schema: DEFINITIONS.Suspended, required: true },
    answers: {
      "200": ok(),
      "409": ok(ErrorResponseSchema, "tasks are running (suspend_policy=fail_if_running_tasks)"),
    },
  },
  {
    method: "get",
    path: `${SUSPENDED}/details`,
    summary: "Whether the cluster is suspended, and which task type may still run",
    parameters: [clusterId],
    answers: { "200": ok(DEFINITIONS.SuspendDetails) },
  },
];
