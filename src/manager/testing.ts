/**
 * Test helpers: a runner whose runs the test finishes by hand, and a Manager on a fake clock and a memory store.
 * @module
 */
import { FakeClock } from "../scheduler/fake-clock.ts";
import type { RunContext, Runner } from "../scheduler/runner.ts";
import { createMemoryStore } from "../store/memory.ts";
import type { ClusterRecord, Store, TaskRecord } from "../store/store.ts";
import { Manager } from "./manager.ts";

export interface ControlledRun {
  ctx: RunContext;
  succeed(): void;
  fail(message: string): void;
}

/** Runs stay open until the test calls succeed/fail; an abort rejects with the signal's reason. */
export class ControlledRunner implements Runner {
  readonly runs: ControlledRun[] = [];

  run(ctx: RunContext): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason));
      this.runs.push({ ctx, succeed: resolve, fail: (message) => reject(new Error(message)) });
    });
  }

  get last(): ControlledRun {
    const run = this.runs[this.runs.length - 1];
    if (!run) throw new Error("no run started");
    return run;
  }
}

export const CLUSTER_ID = "11111111-1111-4111-8111-111111111111";

export function makeCluster(id = CLUSTER_ID, name = "prod"): ClusterRecord {
  return {
    id,
    name,
    labels: {},
    host: "127.0.40.1",
    knownHosts: [],
    port: 0,
    authToken: "",
    forceTlsDisabled: false,
    forceNonSslSessionPort: false,
  };
}

/** A Manager on a fake clock at `startIso` with one cluster. */
export async function createTestManager(startIso = "2026-11-25T10:00:00Z", store: Store = createMemoryStore()) {
  const clock = new FakeClock(Date.parse(startIso));
  await store.putCluster(makeCluster());
  const manager = new Manager({ store, clock });
  return { manager, clock, store };
}

/** A task record for `createTask`. */
export function makeTask(type: string, overrides: Partial<TaskRecord> & { cron?: string } = {}): TaskRecord {
  const { cron, ...rest } = overrides;
  return {
    clusterId: CLUSTER_ID,
    type,
    id: crypto.randomUUID(),
    name: "",
    labels: {},
    enabled: true,
    deleted: false,
    schedule: {
      cron: cron ?? "",
      startDate: null,
      intervalSeconds: 0,
      numRetries: 0,
      retryWaitSeconds: 0,
      window: [],
      timezone: "",
    },
    properties: {},
    status: "NEW",
    successCount: 0,
    errorCount: 0,
    lastSuccess: null,
    lastError: null,
    ...rest,
  };
}
