/**
 * Contract test of the task, run, history and suspend routes: responses validated against
 * SM's swagger 2.0 (test/support/sm-contract.ts → draft-04 via ajv-draft-04), made strict (no unknown keys) except for
 * SM's own documented deviations, listed once in DEVIATIONS. Bad input is checked for status, message and that
 * nothing was stored.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Hono } from "hono";
import { Registry } from "prom-client";
import * as v from "valibot";
import { applyNullable, createSmContractValidator, readSmDefinitions } from "../../../test/support/sm-contract.ts";
import { ServerConfigSchema } from "../../config/server.ts";
import { Manager } from "../../manager/manager.ts";
import { makeCluster } from "../../manager/testing.ts";
import { createMemoryStore } from "../../store/memory.ts";
import type { Store } from "../../store/store.ts";
import { createSilentLogger } from "../../util/log.ts";
import { createApp } from "../app.ts";

/**
 * SM's actual JSON vs its swagger (SM's `pkg/restapi/task.go`), i.e. what real SM sends and we send too:
 * - Task (GET /task/{type}/{id}) also carries `status, success_count, error_count, last_success, last_error`,
 *   `deleted` (only when true) and the legacy untagged `Tags` key; `enabled` is omitted when false.
 * - TaskListItem likewise carries `Tags`.
 * - TaskRun carries `owner` (always "").
 * - Schedule `cron` is a JSON string `{"spec":...,"start_date":...}` (still a string, so the schema holds).
 * - GET /tasks answers `null` when empty; the synthetic "latest" run of a task without runs has the nil UUID.
 * - Empty `labels` and `schedule.window` are `null` (Go's nil map and slice), as SM's server sends them.
 */
const DEVIATIONS = {
  Task: ["status", "success_count", "error_count", "last_success", "last_error", "deleted", "Tags", "labels"],
  TaskListItem: ["Tags", "deleted", "labels"],
  TaskRun: ["owner"],
  Schedule: ["window"],
};

const swaggerDefinitions = readSmDefinitions();

/** Forbids unknown properties at the top of an object schema, allowing the `extra` names too. */
function strict(schema: unknown, extra: string[] = []): unknown {
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) return schema;
  const out: Record<string, unknown> = { ...(applyNullable(schema) as Record<string, unknown>) };
  if (out.properties) {
    const properties: Record<string, unknown> = { ...(out.properties as Record<string, unknown>) };
    for (const name of extra) properties[name] = {};
    out.properties = properties;
    out.additionalProperties = false;
  }
  return out;
}

const { validate, validateArray } = createSmContractValidator({
  ...(applyNullable(swaggerDefinitions) as object),
  Task: strict(swaggerDefinitions.Task, DEVIATIONS.Task),
  TaskListItem: strict(swaggerDefinitions.TaskListItem, DEVIATIONS.TaskListItem),
  TaskRun: strict(swaggerDefinitions.TaskRun, DEVIATIONS.TaskRun),
  Schedule: strict(swaggerDefinitions.Schedule, DEVIATIONS.Schedule),
  SuspendDetails: strict(swaggerDefinitions.SuspendDetails),
  ErrorResponse: strict(swaggerDefinitions.ErrorResponse),
});

const CID = "22222222-2222-4222-8222-222222222222";
let store: Store;
let manager: Manager;
let app: Hono;

beforeAll(async () => {
  store = createMemoryStore();
  await store.putCluster(makeCluster(CID, "prod"));
  const config = v.parse(ServerConfigSchema, {});
  const metrics = new Registry();
  manager = new Manager({ store, config, metrics, enableTestRunners: true });
  manager.registerRunner("healthcheck", { run: async () => undefined });
  manager.registerRunner("repair", {
    run: async () => undefined,
    getTarget: async (clusterId, properties) => ({ cluster_id: clusterId, echo: properties }),
  });
  // A runner written as a class: its getProgress reads `this`, so the route must call it as a method.
  manager.registerRunner(
    "validate_backup",
    new (class {
      readonly rows = [{ host: "h1", manifests: 1 }];
      async run() {}
      async getProgress() {
        return this.rows;
      }
    })(),
  );
  await manager.start();
  app = createApp({ store, config, logger: createSilentLogger(), metrics, manager });
});
afterAll(async () => {
  await manager.close();
});

async function call(method: string, path: string, body?: unknown) {
  const response = await app.request(`/api/v1${path}`, {
    method,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text === "" ? undefined : JSON.parse(text) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("task routes", () => {
  let id = "";

  test("GET /tasks of a cluster with none → null", async () => {
    const res = await call("GET", `/cluster/${CID}/tasks`);
    expect(res.status).toBe(200);
    expect(res.json).toBeNull();
  });

  test("POST /tasks → 201, Location, empty body; cluster addressed by name", async () => {
    const res = await call("POST", "/cluster/prod/tasks", {
      type: "mock",
      name: "long",
      enabled: true,
      schedule: {
        cron: "0 23 * * SAT",
        timezone: "Europe/Warsaw",
        num_retries: 3,
        retry_wait: "10m",
        window: ["Sat-22:00", "Sun-6:00"],
      },
      properties: { duration: "1s" },
    });
    expect(res.status).toBe(201);
    expect(res.json).toBeUndefined();
    const location = res.headers.get("Location") ?? "";
    expect(location).toMatch(new RegExp(`^/api/v1/cluster/${CID}/task/mock/[0-9a-f-]{36}$`));
    id = location.split("/").pop() ?? "";
  });

  test("GET /task/{type}/{id} → Task with SM's quirks", async () => {
    const res = await call("GET", `/cluster/${CID}/task/mock/${id}`);
    expect(res.status).toBe(200);
    expect(validate("Task", res.json)).toBe("");
    expect(res.json.enabled).toBe(true);
    expect(res.json.Tags).toBeNull();
    expect(JSON.parse(res.json.schedule.cron).spec).toBe("0 23 * * SAT");
    expect(res.json.schedule).toMatchObject({
      retry_wait: "10m",
      interval: "",
      num_retries: 3,
      timezone: "Europe/Warsaw",
    });
  });

  test("GET /tasks → TaskListItems with next activation; short=true → 4 keys", async () => {
    const res = await call("GET", `/cluster/${CID}/tasks`);
    expect(validateArray("TaskListItem", res.json)).toBe("");
    // Saturday 23:00 in Warsaw (UTC+1 in winter) is 22:00Z; the window opens Saturday 22:00 local.
    expect(new Date(res.json[0].next_activation).getUTCDay()).toBe(6);
    expect(res.json[0].next_activation.slice(11, 19)).toBe("22:00:00");
    const short = await call("GET", `/cluster/${CID}/tasks?short=true&type=mock`);
    expect(Object.keys(short.json[0]).sort()).toEqual(["cluster_id", "id", "name", "type"]);
  });

  test("PUT disables: enabled omitted; hidden from the list without all=true", async () => {
    const res = await call("PUT", `/cluster/${CID}/task/mock/${id}`, {
      enabled: false,
      schedule: { cron: "0 23 * * SAT" },
    });
    expect(res.status).toBe(200);
    expect(validate("Task", res.json)).toBe("");
    expect("enabled" in res.json).toBe(false);
    expect((await call("GET", `/cluster/${CID}/tasks`)).json).toBeNull();
    expect((await call("GET", `/cluster/${CID}/tasks?all=true`)).json).toHaveLength(1);
  });

  test("runs: latest before any run is the synthetic NEW run; history [] then runs", async () => {
    const latest = await call("GET", `/cluster/${CID}/task/mock/${id}/latest`);
    expect(latest.json.run).toMatchObject({ status: "NEW", id: "00000000-0000-0000-0000-000000000000" });
    expect((await call("GET", `/cluster/${CID}/task/mock/${id}/history`)).json).toEqual([]);
    expect((await call("PUT", `/cluster/${CID}/task/mock/${id}/start?continue=true`)).status).toBe(200);
    await sleep(50);
    const running = await call("GET", `/cluster/${CID}/task/mock/${id}/~0`);
    expect(validate("TaskRun", running.json.run)).toBe("");
    expect(running.json.run.status).toBe("RUNNING");
    expect((await call("PUT", `/cluster/${CID}/task/mock/${id}/stop`)).status).toBe(200);
    await sleep(50);
    const history = await call("GET", `/cluster/${CID}/task/mock/${id}/history?limit=5`);
    expect(validateArray("TaskRun", history.json)).toBe("");
    expect(history.json[0]).toMatchObject({ status: "STOPPED", cause: "task was stopped" });
    const byId = await call("GET", `/cluster/${CID}/task/mock/${id}/${history.json[0].id}`);
    expect(byId.json.run.id).toBe(history.json[0].id);
    expect((await call("GET", `/cluster/${CID}/task/mock/${id}/~1`)).status).toBe(404);
  });

  test("DELETE is soft: gone from the API, the name is free again", async () => {
    expect((await call("DELETE", `/cluster/${CID}/task/mock/${id}`)).status).toBe(200);
    expect((await call("GET", `/cluster/${CID}/task/mock/${id}`)).status).toBe(404);
    const stored = await store.getTask(CID, "mock", id);
    expect(stored).toMatchObject({ deleted: true, enabled: false, name: "" });
    const again = await call("POST", `/cluster/${CID}/tasks`, {
      type: "mock",
      name: "long",
      schedule: { cron: "@daily" },
    });
    expect(again.status).toBe(201);
  });

  test("request keys are case-insensitive (Go's decoder)", async () => {
    const res = await call("POST", `/cluster/${CID}/tasks`, {
      Type: "mock",
      Name: "CamelCase",
      Schedule: { Cron: "@daily" },
    });
    expect(res.status).toBe(201);
    const task = await call("GET", (res.headers.get("Location") ?? "").replace("/api/v1", ""));
    expect(task.json).toMatchObject({ name: "CamelCase", type: "mock" });
    expect(JSON.parse(task.json.schedule.cron).spec).toBe("@daily");
  });

  test("healthcheck progress → 400; target of a type without one → 400", async () => {
    const hc = await call("POST", `/cluster/${CID}/tasks`, {
      type: "healthcheck",
      name: "cql",
      schedule: { cron: "@hourly" },
    });
    const hcId = hc.headers.get("Location")?.split("/").pop();
    const res = await call("GET", `/cluster/${CID}/task/healthcheck/${hcId}/latest`);
    expect(res.status).toBe(400);
    expect((await call("GET", `/cluster/${CID}/tasks/mock/target`)).status).toBe(400);
  });
});

test("GET .../{run_id} calls a class-based runner's getProgress as a method", async () => {
  const created = await call("POST", `/cluster/${CID}/tasks`, {
    type: "validate_backup",
    enabled: false,
    schedule: { cron: "0 1 * * *" },
  });
  expect(created.status).toBe(201);
  const taskId = created.headers.get("Location")?.split("/").pop();
  const res = await call("GET", `/cluster/${CID}/task/validate_backup/${taskId}/latest`);
  expect(res.status).toBe(200);
  expect(res.json.progress).toEqual([{ host: "h1", manifests: 1 }]);
});

describe("bad input: SM's status codes, clear messages, nothing stored", () => {
  const cases: [string, unknown, number, string][] = [
    ["invalid cron", { type: "mock", schedule: { cron: "not a cron" } }, 400, "invalid cron spec"],
    ["odd window", { type: "mock", schedule: { window: ["Mon-1:00"] } }, 400, "even number of points"],
    ["window begin = end", { type: "mock", schedule: { window: ["1:00", "1:00"] } }, 400, "begin equals end"],
    [
      "unknown timezone",
      { type: "mock", schedule: { cron: "@daily", timezone: "Nowhere/Land" } },
      400,
      "unknown time zone",
    ],
    ["retry_wait in ms", { type: "mock", schedule: { retry_wait: "500ms" } }, 400, "invalid retry_wait"],
    ["name that is a UUID", { type: "mock", name: CID }, 400, "must not be a UUID"],
    ["duplicate name", { type: "mock", name: "long", schedule: { cron: "@daily" } }, 400, "already used"],
    ["unknown task type", { type: "nope" }, 400, 'unrecognized TaskType "nope"'],
    ["type without a runner", { type: "backup" }, 400, 'unsupported task type "backup"'],
    ["body id", { type: "mock", id: CID }, 400, "unexpected ID"],
    ["malformed JSON", "{not json", 400, "malformed request"],
  ];
  for (const [what, body, status, message] of cases) {
    test(what, async () => {
      const before = (await store.listTasks(CID, { includeDeleted: true })).length;
      const res = await call("POST", `/cluster/${CID}/tasks`, body);
      expect(res.status).toBe(status);
      expect(res.json.message).toContain(message);
      expect(validate("ErrorResponse", res.json)).toBe("");
      expect((await store.listTasks(CID, { includeDeleted: true })).length).toBe(before);
    });
  }

  test("unknown cluster → 404; unknown task → 404; bad type → 400", async () => {
    const cluster = await call("GET", "/cluster/nope/tasks");
    expect(cluster.status).toBe(404);
    expect(cluster.json.message).toContain("get resource");
    expect((await call("GET", `/cluster/${CID}/task/mock/${CID}`)).status).toBe(404);
    expect((await call("GET", `/cluster/${CID}/task/bogus/${CID}`)).status).toBe(400);
    expect((await call("GET", `/cluster/${CID}/task/mock/not-a-uuid`)).status).toBe(400);
  });

  test("bad list filters are malformed requests (SM's pkg/restapi: respondBadRequest → 400 'malformed request: ')", async () => {
    const status = await call("GET", `/cluster/${CID}/tasks?status=BOGUS`);
    expect(status.status).toBe(400);
    expect(status.json.message).toStartWith("malformed request: ");
    expect(status.json.message).toContain('"BOGUS"');
    const taskId = await call("GET", `/cluster/${CID}/tasks?task_id=not-a-uuid`);
    expect(taskId.status).toBe(400);
    expect(taskId.json.message).toStartWith("malformed request: ");
  });
});

describe("suspend routes", () => {
  test("details, suspend, 409 with fail_if_running_tasks, resume", async () => {
    expect((await call("GET", `/cluster/${CID}/suspended`)).json).toBe(false);
    const details = await call("GET", `/cluster/${CID}/suspended/details`);
    expect(validate("SuspendDetails", details.json)).toBe("");
    const run = await call("POST", `/cluster/${CID}/tasks`, { type: "mock", properties: { duration: "5s" } });
    expect(run.status).toBe(201);
    await sleep(30);
    const refused = await call("PUT", `/cluster/${CID}/suspended?suspend_policy=fail_if_running_tasks`, true);
    expect(refused.status).toBe(409);
    expect((await call("PUT", `/cluster/${CID}/suspended?suspend_policy=bogus`, true)).status).toBe(400);
    expect((await call("PUT", `/cluster/${CID}/suspended`, '"yes"')).status).toBe(400);
    expect((await call("PUT", `/cluster/${CID}/suspended?allow_task_type=healthcheck`, true)).status).toBe(400);
    expect((await call("PUT", `/cluster/${CID}/suspended?allow_task_type=backup`, true)).status).toBe(200);
    expect((await call("GET", `/cluster/${CID}/suspended/details`)).json).toEqual({
      suspended: true,
      allow_task_type: "backup",
    });
    const blocked = await call("POST", `/cluster/${CID}/tasks`, { type: "mock" });
    expect(blocked.status).toBe(400);
    expect(blocked.json.message).toBe("cluster is suspended, scheduling tasks is not allowed");
    const list = await call("GET", `/cluster/${CID}/tasks?all=true&type=mock`);
    expect(list.json.every((t: { suspended: boolean }) => t.suspended)).toBe(true);
    expect((await call("PUT", `/cluster/${CID}/suspended?start_tasks=false`, false)).status).toBe(200);
    expect((await call("GET", `/cluster/${CID}/suspended`)).json).toBe(false);
  });
});

describe("target (GET with a body)", () => {
  test("POST extension answers the type's target for the body", async () => {
    const res = await call("POST", `/cluster/${CID}/tasks/repair/target`, {
      type: "repair",
      properties: { dc: ["a"] },
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ cluster_id: CID, echo: { dc: ["a"] } });
  });

  test("a GET body dropped by the listener (Bun.serve) is an error, not a default target", async () => {
    const http = await import("node:http");
    const server = Bun.serve({ hostname: "127.0.40.5", port: 0, fetch: app.fetch });
    try {
      const body = JSON.stringify({ type: "repair", properties: { dc: ["a"] } });
      const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = http.request(
          {
            host: "127.0.40.5",
            port: server.port,
            method: "GET",
            path: `/api/v1/cluster/${CID}/tasks/repair/target`,
            headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
          },
          (res) => {
            let text = "";
            res.on("data", (chunk) => {
              text += String(chunk);
            });
            res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        req.on("error", reject);
        req.end(body);
      });
      const json = JSON.parse(answer.text);
      if (answer.status === 200)
        expect(json.echo).toEqual({ dc: ["a"] }); // a runtime that keeps GET bodies
      else expect(json.message).toContain("the request body did not reach the handler");
    } finally {
      server.stop(true);
    }
  });
});

describe("openapi and auth", () => {
  test("GET /openapi.json serves the contract plus our extensions", async () => {
    const res = await call("GET", "/openapi.json");
    expect(res.json.swagger).toBe("2.0");
    expect(res.json.paths["/cluster/{cluster_id}/tasks"]).toBeDefined();
    expect(res.json.paths["/openapi.json"]).toBeDefined();
    expect(res.json.securityDefinitions.bearer.type).toBe("apiKey");
  });

  test("with auth_token, the task API needs the bearer token", async () => {
    const config = v.parse(ServerConfigSchema, { auth_token: "s3cret" });
    const authed = createApp({ store, config, logger: createSilentLogger(), metrics: new Registry(), manager });
    expect((await authed.request(`/api/v1/cluster/${CID}/tasks`)).status).toBe(401);
    const ok = await authed.request(`/api/v1/cluster/${CID}/tasks`, { headers: { authorization: "Bearer s3cret" } });
    expect(ok.status).toBe(200);
  });
});
