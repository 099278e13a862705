/** Record builders for the store contract suite. */
import { timeUuidFromTicks } from "../util/uuid.ts";
import type { ClusterRecord, RunRecord, TaskRecord, TaskStatus } from "./store.ts";

export function makeCluster(id: string, overrides: Partial<ClusterRecord> = {}): ClusterRecord {
  return {
    id,
    name: `cluster-${id.slice(0, 4)}`,
    labels: { env: "test" },
    host: "192.168.100.11",
    knownHosts: ["192.168.100.11", "192.168.100.12"],
    port: 0,
    authToken: "token",
    forceTlsDisabled: false,
    forceNonSslSessionPort: false,
    ...overrides,
  };
}

export function makeTask(clusterId: string, type: string, id: string, overrides: Partial<TaskRecord> = {}): TaskRecord {
  return {
    clusterId,
    type,
    id,
    name: `${type}-${id.slice(0, 4)}`,
    labels: {},
    enabled: true,
    deleted: false,
    schedule: {
      cron: "0 23 * * SAT",
      startDate: "2026-01-01T00:00:00.000Z",
      intervalSeconds: 0,
      numRetries: 3,
      retryWaitSeconds: 600,
      window: ["Mon-0:00", "Mon-6:00"],
      timezone: "Europe/Warsaw",
    },
    properties: { keyspace: ["ks.*"], intensity: 0.5, nested: { deep: [1, { a: null }] } },
    status: "NEW",
    successCount: 0,
    errorCount: 0,
    lastSuccess: null,
    lastError: null,
    ...overrides,
  };
}

export function makeRun(
  clusterId: string,
  type: string,
  taskId: string,
  id: string,
  status: TaskStatus = "DONE",
): RunRecord {
  return {
    clusterId,
    type,
    taskId,
    id,
    status,
    cause: status === "ERROR" ? "boom" : "",
    owner: "",
    startTime: "2026-01-01T00:00:00.000Z",
    endTime: null,
  };
}

/**
 * Time UUIDs whose text order differs from their time order (the low 32 bits of the tick count come first in the
 * text), oldest first, so a list sorted by text instead of time fails the suite.
 */
export function makeTimeUuids(count: number): string[] {
  const base = 139_000_000_000_000_000n; // a tick count in 2022
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    // step over the 2^32 boundary of time_low with a decreasing low part
    const ticks = base + BigInt(i) * 0x1_0000_0000n + BigInt(count - i) * 1000n;
    ids.push(timeUuidFromTicks(ticks, 7, new Uint8Array([1, 2, 3, 4, 5, 6])));
  }
  return ids;
}

/** Deterministic UUIDs for ids: `uuidN(1)` = 00000000-0000-4000-8000-000000000001. */
export function uuidN(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
}
