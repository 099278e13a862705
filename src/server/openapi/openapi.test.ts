/**
 * The served document: valid swagger 2.0 in the parts we generate, every route the app registers under /api/v1 is
 * documented (and nothing else), the Go nils our answers carry are allowed, and it is served as built.
 */
import { describe, expect, test } from "bun:test";
import { Registry } from "prom-client";
import * as v from "valibot";
import { ServerConfigSchema } from "../../config/server.ts";
import { createMemoryStore } from "../../store/memory.ts";
import { createSilentLogger } from "../../util/log.ts";
import { createApp } from "../app.ts";
import { buildOpenApiDocument } from "./document.ts";

type Node = Record<string, unknown>;
const doc = buildOpenApiDocument();
const newApp = () =>
  createApp({
    store: createMemoryStore(),
    config: v.parse(ServerConfigSchema, {}),
    logger: createSilentLogger(),
    metrics: new Registry(),
  });

/** Every object node of the document with the JSON path it is at. */
function walk(node: unknown, at: string, visit: (node: Node, at: string) => void): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => {
      walk(item, `${at}[${i}]`, visit);
    });
  } else if (node !== null && typeof node === "object") {
    visit(node as Node, at);
    for (const [key, value] of Object.entries(node)) walk(value, `${at}.${key}`, visit);
  }
}

describe("served OpenAPI document", () => {
  test("speaks swagger 2.0: no OpenAPI 3 or later JSON Schema keywords, no empty required lists, refs resolve", () => {
    const problems: string[] = [];
    const definitions = doc.definitions as Record<string, unknown>;
    walk(doc, "$", (node, at) => {
      for (const key of ["anyOf", "oneOf", "const", "nullable", "$defs", "components"]) {
        if (key in node && !at.includes(".properties.")) problems.push(`${at}: ${key}`);
      }
      if (Array.isArray(node.required) && node.required.length === 0) problems.push(`${at}: empty required`);
      if (typeof node.$ref === "string") {
        if (!node.$ref.startsWith("#/definitions/")) problems.push(`${at}: ref ${node.$ref}`);
        else if (!(node.$ref.slice(14) in definitions)) problems.push(`${at}: dangling ${node.$ref}`);
        if (Object.keys(node).length > 1) problems.push(`${at}: siblings of $ref`);
      }
    });
    expect(problems).toEqual([]);
    expect(doc.swagger).toBe("2.0");
    expect(doc.basePath).toBe("/api/v1");
  });

  test("documents exactly the routes the app serves under /api/v1", () => {
    const app = newApp();
    const served = app.routes
      .filter((r) => r.path.startsWith("/api/v1/") && r.method !== "ALL")
      .map((r) => `${r.method} ${r.path.slice("/api/v1".length).replace(/:([a-z_]+)/g, "{$1}")}`);
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    // A route template covers a documented path when each of its `{param}` segments matches any segment there.
    const covers = (route: string, op: string) => {
      const [rm, rp = ""] = route.split(" ");
      const [om, opath = ""] = op.split(" ");
      const a = rp.split("/");
      const b = opath.split("/");
      return rm === om && a.length === b.length && a.every((s, i) => s.startsWith("{") || s === b[i]);
    };
    expect(served.length).toBeGreaterThan(25);
    expect(documented.filter((op) => !served.some((route) => covers(route, op)))).toEqual([]);
    expect(served.filter((route) => !documented.some((op) => covers(route, op)))).toEqual([]);
  });

  test("allows the nulls Go (SM) and we answer: no tasks, no labels, no window, unset times", () => {
    const definitions = doc.definitions as Record<string, { properties: Record<string, Node> }>;
    const tasks = doc.paths["/cluster/{cluster_id}/tasks"]?.get as { responses: Record<string, { schema: Node }> };
    expect(tasks.responses["200"]?.schema["x-nullable"]).toBe(true);
    expect(definitions.Task?.properties.labels?.["x-nullable"]).toBe(true);
    expect(definitions.Schedule?.properties.window?.["x-nullable"]).toBe(true);
    expect(definitions.Task?.properties.last_success?.["x-nullable"]).toBe(true);
    expect(definitions.RepairProgress?.properties.started_at?.["x-nullable"]).toBe(true);
  });

  test("is what GET /api/v1/openapi.json serves", async () => {
    const app = newApp();
    const res = await app.request("/api/v1/openapi.json");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(doc)));
  });
});
