import { describe, expect, test } from "bun:test";
import { gunzipSync } from "node:zlib";
import { defaultServerConfig } from "../../config/server.ts";
import { createMetricsRegistry } from "../../metrics/registry.ts";
import { createMemoryStore } from "../../store/memory.ts";
import { createSilentLogger } from "../../util/log.ts";
import { createApp } from "../app.ts";
import { MANAGER_VERSION } from "../version.ts";

const appWith = (authToken = "") =>
  createApp({
    config: { ...defaultServerConfig(), auth_token: authToken },
    logger: createSilentLogger(),
    metrics: createMetricsRegistry(MANAGER_VERSION),
    store: createMemoryStore(),
  });

describe("/ui/ API explorer", () => {
  test("/ui redirects to /ui/, which loads Swagger UI from the daemon itself over our openapi.json", async () => {
    const app = appWith();
    const redirect = await app.request("/ui");
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get("location")).toBe("/ui/");
    const page = await app.request("/ui/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toStartWith("text/html");
    const html = await page.text();
    expect(html).toContain('src="./swagger-ui-bundle.js"');
    expect(html).toContain('href="../console/"');
    expect(html).not.toMatch(/https?:\/\//); // no CDN
    const init = await (await app.request("/ui/init.js")).text();
    expect(init).toContain("../api/v1/openapi.json");
    const bundle = await app.request("/ui/swagger-ui-bundle.js");
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get("content-type")).toStartWith("text/javascript");
    const text = await bundle.text();
    expect(text).toContain("SwaggerUIBundle");
    expect(text).not.toContain("sourceMappingURL=swagger-ui-bundle.js.map");
    expect((await app.request("/ui/swagger-ui.css")).status).toBe(200);
    expect((await app.request("/ui/nope.js")).status).toBe(404);
  });

  test("gzip when accepted, and 304 on a matching ETag", async () => {
    const app = appWith();
    const plain = await app.request("/ui/swagger-ui-bundle.js");
    const raw = new Uint8Array(await plain.arrayBuffer());
    const zipped = await app.request("/ui/swagger-ui-bundle.js", { headers: { "accept-encoding": "gzip, br" } });
    expect(zipped.headers.get("content-encoding")).toBe("gzip");
    const body = new Uint8Array(await zipped.arrayBuffer());
    expect(body.byteLength).toBeLessThan(raw.byteLength / 2);
    expect(new Uint8Array(gunzipSync(body))).toEqual(raw);
    const etag = plain.headers.get("etag") ?? "";
    expect(etag).toMatch(/^".+"$/);
    const again = await app.request("/ui/swagger-ui-bundle.js", { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
  });

  test("with auth_token set the static files stay open while the API still needs the token", async () => {
    const app = appWith("secret");
    expect((await app.request("/ui/")).status).toBe(200);
    expect((await app.request("/ui/swagger-ui-bundle.js")).status).toBe(200);
    expect((await app.request("/api/v1/openapi.json")).status).toBe(401);
    const authorized = await app.request("/api/v1/openapi.json", { headers: { authorization: "Bearer secret" } });
    expect(authorized.status).toBe(200);
  });
});
