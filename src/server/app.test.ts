import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { defaultServerConfig } from "../config/server.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { createMetricsRegistry } from "../metrics/registry.ts";
import { createMemoryStore } from "../store/memory.ts";
import { createSilentLogger } from "../util/log.ts";
import { createApp } from "./app.ts";
import type { ServerDeps } from "./deps.ts";
import { parseJsonBody, parseQuery } from "./validate.ts";
import { MANAGER_VERSION } from "./version.ts";

function makeDeps(overrides: Partial<ServerDeps["config"]> = {}): ServerDeps {
  return {
    config: { ...defaultServerConfig(), ...overrides },
    logger: createSilentLogger(),
    metrics: createMetricsRegistry(MANAGER_VERSION),
    store: createMemoryStore(),
  };
}

describe("createApp", () => {
  test("version and ping", async () => {
    const app = createApp(makeDeps());
    for (const path of ["/api/v1/version", "/version"]) {
      const res = await app.request(path);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ version: MANAGER_VERSION });
    }
    const ping = await app.request("/ping");
    expect(ping.status).toBe(204);
    expect(await ping.text()).toBe("");
  });

  test("unknown path is SM's 404 with a trace id", async () => {
    const res = await createApp(makeDeps()).request("/api/v1/nope");
    expect(res.status).toBe(404);
    const body = (await res.json()) as Record<string, string>;
    expect(body.message).toBe("find endpoint for path /api/v1/nope - make sure api-url is correct");
    expect(body.details).toBe("");
    expect(body.trace_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  test("errors map to 400/404/409/500 with details", async () => {
    const app = createApp(makeDeps());
    app.get("/t/400", () => {
      throw new ValidationError("bad input", { details: "fix it" });
    });
    app.get("/t/404", () => {
      throw new NotFoundError("get resource: not found");
    });
    app.get("/t/409", () => {
      throw new ConflictError("tasks are running", { hint: "stop them first" });
    });
    app.get("/t/500", () => {
      throw new Error("boom");
    });
    const cases: [string, number, string, string][] = [
      ["/t/400", 400, "bad input", "fix it"],
      ["/t/404", 404, "get resource: not found", ""],
      ["/t/409", 409, "tasks are running", "stop them first"],
      ["/t/500", 500, "boom", ""],
    ];
    const traceIds = new Set<string>();
    for (const [path, status, message, details] of cases) {
      const res = await app.request(path);
      expect(res.status).toBe(status);
      const body = (await res.json()) as Record<string, string>;
      expect({ message: body.message, details: body.details }).toEqual({ message, details });
      traceIds.add(body.trace_id ?? "");
    }
    expect(traceIds.size).toBe(4);
  });

  test("parseJsonBody and parseQuery give 400 malformed request", async () => {
    const app = createApp(makeDeps());
    const Body = v.object({ name: v.string(), n: v.number() });
    app.post("/t/body", async (c) => c.json(await parseJsonBody(c, Body)));
    app.get("/t/query", (c) => c.json(parseQuery(c, v.object({ a: v.string(), b: v.optional(v.array(v.string())) }))));
    const ok = await app.request("/t/body", { method: "POST", body: JSON.stringify({ name: "x", n: 1 }) });
    expect(await ok.json()).toEqual({ name: "x", n: 1 });
    const badJson = await app.request("/t/body", { method: "POST", body: "{" });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { message: string }).message).toStartWith("malformed request: invalid JSON");
    const badType = await app.request("/t/body", { method: "POST", body: JSON.stringify({ name: 1, n: 1 }) });
    expect(badType.status).toBe(400);
    expect(((await badType.json()) as { message: string }).message).toStartWith("malformed request: name: ");
    expect(await (await app.request("/t/query?a=1&b=x&b=y")).json()).toEqual({ a: "1", b: ["x", "y"] });
    const badQuery = await app.request("/t/query");
    expect(badQuery.status).toBe(400);
  });

  test("auth_token requires a bearer token except on /ping", async () => {
    const app = createApp(makeDeps({ auth_token: "s3cret" }));
    expect((await app.request("/ping")).status).toBe(204);
    const denied = await app.request("/api/v1/version");
    expect(denied.status).toBe(401);
    expect(((await denied.json()) as { message: string }).message).toContain("unauthorized");
    const wrong = await app.request("/api/v1/version", { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    const ok = await app.request("/api/v1/version", { headers: { authorization: "Bearer s3cret" } });
    expect(ok.status).toBe(200);
  });
});
