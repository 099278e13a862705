/**
 * `GET /cluster/{id}/tasks/backup/target` (sctool's dry run; the task body rides on the GET, as SM sends it).
 * @module
 */
import * as v from "valibot";
import type { ManagerApiClient } from "./client.ts";

export const BackupTargetSchema = v.object({
  cluster_id: v.optional(v.string(), ""),
  dc: v.nullish(v.array(v.string()), []),
  location: v.nullish(v.array(v.string()), []),
  retention: v.optional(v.number(), 0),
  retention_days: v.optional(v.number(), 0),
  rate_limit: v.nullish(v.array(v.string()), []),
  snapshot_parallel: v.nullish(v.array(v.string()), []),
  upload_parallel: v.nullish(v.array(v.string()), []),
  units: v.nullish(
    v.array(
      v.object({
        keyspace: v.string(),
        tables: v.nullish(v.array(v.string()), []),
        all_tables: v.optional(v.boolean(), false),
      }),
    ),
    [],
  ),
  size: v.optional(v.number(), 0),
});
export type ApiBackupTarget = v.InferOutput<typeof BackupTargetSchema>;

/** The backup target of a task body (nothing is scheduled). */
export async function getBackupTarget(
  client: ManagerApiClient,
  cluster: string,
  task: Record<string, unknown>,
): Promise<ApiBackupTarget> {
  const answer = await client.request("GET", `/cluster/${encodeURIComponent(cluster)}/tasks/backup/target`, {
    body: task,
  });
  const parsed = v.safeParse(BackupTargetSchema, answer);
  if (!parsed.success) throw new Error(`get backup target: unexpected answer: ${parsed.issues[0]?.message}`);
  return parsed.output;
}
