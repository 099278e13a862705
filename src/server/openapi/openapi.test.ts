import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildOpenApiDocument } from "../routes/openapi.ts";
import bundled from "./scylla-manager.json" with { type: "json" };

const shared = fileURLToPath(new URL("../../../../shared/contracts/scylla-manager.json", import.meta.url));

describe("served OpenAPI document", () => {
  test.skipIf(!existsSync(shared))("the bundled contract is identical to the shared one", () => {
    expect(bundled).toEqual(JSON.parse(readFileSync(shared, "utf8")));
  });

  test("keeps every SM path and adds our extensions without mutating the bundle", () => {
    const doc = buildOpenApiDocument() as { paths: Record<string, unknown>; securityDefinitions: object };
    for (const path of Object.keys(bundled.paths)) expect(doc.paths[path]).toBeDefined();
    expect(doc.paths["/openapi.json"]).toBeDefined();
    expect(doc.securityDefinitions).toHaveProperty("bearer");
    expect((bundled.paths as Record<string, unknown>)["/openapi.json"]).toBeUndefined();
  });
});
