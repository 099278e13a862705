/**
 * Runners the Manager brings itself: `suspend` (suspend/resume tasks, incl. the automatic resume task) and the
 * internal `mock` type used by e2e tests (registered only when asked for).
 * @module
 */
import * as v from "valibot";
import { ValidationError } from "../errors.ts";
import { RESUME_TASK_ID } from "../scheduler/model.ts";
import type { RunContext, Runner } from "../scheduler/runner.ts";
import type { Store, TaskRecord } from "../store/store.ts";
import { parseDuration } from "../util/duration.ts";
import type { SuspendService } from "./suspend.ts";

const SuspendPropertiesSchema = v.object({
  duration: v.optional(v.string(), ""),
  start_tasks: v.optional(v.boolean(), false),
  allow_task_type: v.optional(v.string(), ""),
  suspend_policy: v.optional(v.picklist(["stop_running_tasks", "fail_if_running_tasks"]), "stop_running_tasks"),
  no_continue: v.optional(v.boolean(), false),
  resume: v.optional(v.boolean(), false),
});

function parseSuspendProperties(value: unknown) {
  const parsed = v.safeParse(SuspendPropertiesSchema, value ?? {});
  if (!parsed.success) throw new ValidationError(`invalid suspend properties: ${parsed.issues[0]?.message}`);
  const durationMs = parseDuration(parsed.output.duration);
  if (parsed.output.start_tasks && durationMs === 0) {
    throw new ValidationError("start_tasks requires a duration", { hint: "set duration, e.g. 2h" });
  }
  return { ...parsed.output, durationMs };
}

/** The `suspend` runner: suspends the cluster (and plans the resume task) or, with `resume`, resumes it. */
export function createSuspendRunner(deps: {
  suspend: SuspendService;
  store: Store;
  createResumeTask(task: TaskRecord): Promise<void>;
}): Runner {
  return {
    validateProperties: (_clusterId, properties) => {
      parseSuspendProperties(properties);
      return properties;
    },
    async run(ctx: RunContext) {
      const props = parseSuspendProperties(ctx.properties);
      if (props.resume) {
        await deps.suspend.resume(ctx.clusterId, { startTasks: props.start_tasks, noContinue: props.no_continue });
        return;
      }
      const info = await deps.suspend.suspend(ctx.clusterId, {
        allowTaskType: props.allow_task_type,
        policy: props.suspend_policy,
        noContinue: props.no_continue,
      });
      if (!info || props.durationMs === 0) return;
      const at = Date.parse(info.started_at) + props.durationMs;
      await deps.createResumeTask({
        clusterId: ctx.clusterId,
        type: "suspend",
        id: RESUME_TASK_ID,
        name: "resume",
        labels: {},
        enabled: true,
        deleted: false,
        schedule: {
          cron: "",
          startDate: new Date(at).toISOString(),
          intervalSeconds: 0,
          numRetries: 3,
          retryWaitSeconds: 5,
          window: [],
          timezone: "",
        },
        properties: { resume: true, start_tasks: props.start_tasks },
        status: "NEW",
        successCount: 0,
        errorCount: 0,
        lastSuccess: null,
        lastError: null,
      });
    },
  };
}

const MockPropertiesSchema = v.object({
  /** SM duration the run lasts, e.g. "30s". */
  duration: v.optional(v.string(), "0s"),
  /** When set, the run fails with this message. */
  error: v.optional(v.string(), ""),
});

/** The internal `mock` runner: waits `duration` (real time), then succeeds or fails with `error`. */
export function createMockRunner(): Runner {
  return {
    validateProperties(_clusterId, properties) {
      const parsed = v.safeParse(MockPropertiesSchema, properties ?? {});
      if (!parsed.success) throw new ValidationError(`invalid mock properties: ${parsed.issues[0]?.message}`);
      parseDuration(parsed.output.duration);
      return properties;
    },
    async run(ctx) {
      const props = v.parse(MockPropertiesSchema, ctx.properties ?? {});
      const ms = parseDuration(props.duration);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, ms);
        ctx.signal.addEventListener("abort", () => {
          clearTimeout(timer);
          reject(ctx.signal.reason);
        });
      });
      if (props.error) throw new Error(props.error);
    },
  };
}
