/**
 * The scheduler adapter of `healthcheck` tasks: properties `{"mode": "cql"|"rest"|"alternator"}`; each run pings
 * every known host of the cluster and updates the gauges. Ping failures are data, not run errors.
 * @module
 */
import * as v from "valibot";
import { ValidationError } from "../errors.ts";
import type { HealthCheckService } from "./service.ts";

/** Task properties of a healthcheck task. */
const HealthcheckPropertiesSchema = v.object({
  mode: v.picklist(["cql", "rest", "alternator"], 'healthcheck mode must be one of "cql", "rest", "alternator"'),
});

/** What the runner reads of the scheduler's run context (E's RunContext satisfies it). */
export interface HealthcheckRunContext {
  clusterId: string;
  properties: unknown;
  signal: AbortSignal;
}

/** Runs healthcheck tasks through a HealthCheckService. */
export class HealthcheckRunner {
  readonly #service: HealthCheckService;

  constructor(service: HealthCheckService) {
    this.#service = service;
  }

  /** Refuses properties without a known mode before the task is stored (`{"mode":"bogus"}` is a 400). */
  validateProperties(_clusterId: string, properties: unknown): unknown {
    const parsed = v.safeParse(HealthcheckPropertiesSchema, properties ?? {});
    if (!parsed.success) throw new ValidationError(`invalid healthcheck properties: ${parsed.issues[0]?.message}`);
    return properties;
  }

  /** One health-check round of the task's mode. */
  async run(ctx: HealthcheckRunContext): Promise<void> {
    const parsed = v.safeParse(HealthcheckPropertiesSchema, ctx.properties ?? {});
    if (!parsed.success) throw new ValidationError(`invalid healthcheck properties: ${parsed.issues[0]?.message}`);
    await this.#service.runPing(ctx.clusterId, parsed.output.mode, ctx.signal);
  }
}
