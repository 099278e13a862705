/**
 * SM's `RestoreTarget` JSON (`GET /tasks/restore/target`, sctool's `--dry-run`): the properties with defaults plus
 * `units`, `views` and `size` (SM answers those capitalised, `Units`/`Views`/`Size`, as Go marshals them).
 * @module
 */
import { formatLocation } from "../backup/layout/location.ts";
import type { RestoreTarget, RestoreUnit, RestoreView } from "./model.ts";

/** The target as SM's REST API answers it. */
export function restoreTargetJson(
  clusterId: string,
  target: RestoreTarget,
  units: readonly RestoreUnit[],
  views: readonly RestoreView[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    cluster_id: clusterId,
    location: target.locations.map(formatLocation),
    snapshot_tag: target.snapshotTag,
    transfers: target.transfers,
    unpin_agent_cpu: target.unpinAgentCpu,
    continue: target.continue,
    dc_mapping: Object.keys(target.dcMapping).length > 0 ? target.dcMapping : null,
  };
  if (target.keyspace) out.keyspace = target.keyspace;
  if (target.batchSize !== 0) out.batch_size = target.batchSize;
  if (target.parallel !== 0) out.parallel = target.parallel;
  if (target.rateLimit.length > 0)
    out.rate_limit = target.rateLimit.map((l) => (l.dc ? `${l.dc}:${l.limit}` : `${l.limit}`));
  if (target.allowCompaction) out.allow_compaction = true;
  if (target.restoreSchema) out.restore_schema = true;
  if (target.restoreTables) out.restore_tables = true;
  out.method = target.method;
  out.Units = units;
  out.Views = views.map(({ status: _status, ...view }) => view);
  out.Size = units.reduce((sum, u) => sum + u.size, 0);
  return out;
}
