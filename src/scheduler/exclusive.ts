/**
 * SM's TaskExclusiveLockPolicy (SM's `pkg/service/scheduler/policy.go`): which task types may run together in one cluster.
 * @module
 */

const POLICY_TYPES = new Set(["backup", "restore", "1_1_restore", "repair", "tablet_repair"]);
const EXCLUSIVE_TYPES = new Set(["restore", "1_1_restore"]);

/** A run taking part in the check. */
export interface ExclusiveCandidate {
  type: string;
  properties: unknown;
}

function isVnodesRepair(candidate: ExclusiveCandidate): boolean {
  const props = candidate.properties as { keyspace_replication?: unknown } | null | undefined;
  return candidate.type === "repair" && props?.keyspace_replication === "vnodes";
}

/** True when `candidate` may not start while `running` (other runs of the same cluster) are in progress. */
export function conflictsWithRunning(candidate: ExclusiveCandidate, running: readonly ExclusiveCandidate[]): boolean {
  if (!POLICY_TYPES.has(candidate.type)) return false;
  const others = running.filter((other) => POLICY_TYPES.has(other.type));
  if (others.length === 0) return false;
  if (EXCLUSIVE_TYPES.has(candidate.type)) return true;
  for (const other of others) {
    if (EXCLUSIVE_TYPES.has(other.type) || other.type === candidate.type) return true;
    const pair = new Set([other.type, candidate.type]);
    if (pair.has("repair") && pair.has("tablet_repair")) {
      const repair = other.type === "repair" ? other : candidate;
      if (!isVnodesRepair(repair)) return true;
    }
  }
  return false;
}
