/**
 * The `validate_backup` runner (SM's `ValidationRunner` + its task decorator): locations from the properties or,
 * when none are given, from the cluster's enabled backup tasks; progress rows persisted per (dc, host, location)
 * under `validate_backup_run_progress`; `GET .../task/validate_backup/{task}/{run}` answers SM's progress array.
 * @module
 */
import * as v from "valibot";
import type { ClusterService } from "../../cluster/service.ts";
import { ValidationError } from "../../errors.ts";
import type { RunContext, Runner } from "../../scheduler/runner.ts";
import type { Store } from "../../store/store.ts";
import { type Location, parseLocation } from "../layout/location.ts";
import { extractLocations } from "../read/access.ts";
import { readAccessOf } from "../read/cluster-access.ts";
import {
  progressKey,
  VALIDATE_PROGRESS_KIND,
  type ValidateHostProgress,
  ValidateHostProgressSchema,
  ValidatePropertiesSchema,
} from "./model.ts";
import { type ValidateAccess, validateBackup } from "./run.ts";

export interface ValidateRunnerOptions {
  store: Store;
  clusters: ClusterService;
}

/** Runs validate_backup tasks over the clusters a ClusterService manages. */
export class ValidateBackupRunner implements Runner {
  readonly #o: ValidateRunnerOptions;

  constructor(options: ValidateRunnerOptions) {
    this.#o = options;
  }

  validateProperties(_clusterId: string, properties: unknown): unknown {
    const parsed = v.safeParse(ValidatePropertiesSchema, properties ?? {});
    if (!parsed.success) {
      const issue = parsed.issues[0];
      const where = issue?.path?.map((p) => String(p.key)).join(".") ?? "properties";
      throw new ValidationError(`invalid validate_backup properties: ${where}: ${issue?.message ?? "invalid"}`);
    }
    for (const location of parsed.output.location) parseLocation(location);
    return properties;
  }

  async #locations(clusterId: string, given: readonly string[]): Promise<Location[]> {
    if (given.length > 0) return given.map((text) => parseLocation(text));
    const tasks = await this.#o.store.listTasks(clusterId, { type: "backup" });
    const found = extractLocations(
      tasks.filter((t) => t.enabled && !t.deleted).map((t) => t.properties),
      parseLocation,
    );
    if (found.length === 0) {
      throw new ValidationError("missing location", { hint: "pass --location or add a backup task with locations" });
    }
    return found;
  }

  /** The validate access of a managed cluster. */
  async access(clusterId: string): Promise<ValidateAccess> {
    const { scylla, agent } = await this.#o.clusters.clients(clusterId);
    return {
      ...readAccessOf(clusterId, scylla, agent),
      hostIds: () => scylla.hostIds(),
      liveHosts: () => scylla.liveEndpoints(),
    };
  }

  async run(ctx: RunContext): Promise<void> {
    const props = v.parse(ValidatePropertiesSchema, ctx.properties ?? {});
    const locations = await this.#locations(ctx.clusterId, props.location);
    const access = await this.access(ctx.clusterId);
    await validateBackup(access, {
      locations,
      deleteOrphanedFiles: props.delete_orphaned_files,
      signal: ctx.signal,
      onProgress: (row) =>
        this.#o.store.putProgress(VALIDATE_PROGRESS_KIND, ctx.clusterId, ctx.taskId, ctx.runId, [
          { key: progressKey(row), value: { ...row } },
        ]),
    });
  }

  async getProgress(clusterId: string, taskId: string, runId: string | undefined): Promise<ValidateHostProgress[]> {
    if (runId === undefined) return [];
    const rows = await this.#o.store.listProgress(VALIDATE_PROGRESS_KIND, clusterId, taskId, runId);
    return rows
      .flatMap((row) => {
        const parsed = v.safeParse(ValidateHostProgressSchema, row.value);
        return parsed.success ? [parsed.output] : [];
      })
      .sort((a, b) => progressKey(a).localeCompare(progressKey(b)));
  }
}
