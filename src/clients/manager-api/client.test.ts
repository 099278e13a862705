import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "selfsigned";
import { defaultServerConfig, type ServerConfig } from "../../config/server.ts";
import { type Daemon, startDaemon } from "../../server/daemon.ts";
import { MANAGER_VERSION } from "../../server/version.ts";
import { createSilentLogger } from "../../util/log.ts";
import { ManagerApiClient, ManagerApiError } from "./client.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(overrides: Partial<ServerConfig>): Promise<Daemon> {
  const config = { ...defaultServerConfig(), store: "memory" as const, prometheus: "", ...overrides };
  const daemon = await startDaemon([], { config, logger: createSilentLogger() });
  cleanups.push(() => daemon.close());
  return daemon;
}

function client(options: ConstructorParameters<typeof ManagerApiClient>[0]): ManagerApiClient {
  const created = new ManagerApiClient(options);
  cleanups.push(() => created.close());
  return created;
}

describe("ManagerApiClient", () => {
  test("GET, query strings and SM error bodies", async () => {
    const daemon = await start({ http: "127.0.50.20:0" });
    const api = client({ apiUrl: `${daemon.urls.http}/api/v1` });
    expect(await api.request("GET", "/version")).toEqual({ version: MANAGER_VERSION });
    const error = (await api
      .request("GET", "/nope", { query: { a: ["x", "y"], b: undefined } })
      .catch((e: unknown) => e)) as ManagerApiError;
    expect(error).toBeInstanceOf(ManagerApiError);
    expect(error.status).toBe(404);
    expect(error.message).toBe("find endpoint for path /api/v1/nope - make sure api-url is correct");
    expect(error.traceId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  test("bearer token for a server with auth_token", async () => {
    const daemon = await start({ http: "127.0.50.21:0", auth_token: "tok" });
    const denied = (await client({ apiUrl: `${daemon.urls.http}/api/v1` })
      .request("GET", "/version")
      .catch((e: unknown) => e)) as ManagerApiError;
    expect(denied.status).toBe(401);
    const allowed = client({ apiUrl: `${daemon.urls.http}/api/v1`, token: "tok" });
    expect(await allowed.request("GET", "/version")).toEqual({ version: MANAGER_VERSION });
  });

  test("client certificate for an mTLS server; server certificate not verified (SM's InsecureSkipVerify)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sm-client-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const ca = await generate([{ name: "commonName", value: "ca" }], {
      keyType: "ec",
      algorithm: "sha256",
      extensions: [{ name: "basicConstraints", cA: true }],
      clientCertificate: { cn: "sctool" },
    });
    writeFileSync(join(dir, "ca.pem"), ca.cert);
    writeFileSync(join(dir, "client.pem"), ca.clientcert ?? "");
    writeFileSync(join(dir, "client.key"), ca.clientprivate ?? "");
    const daemon = await start({ https: "127.0.50.22:0", tls_ca_file: join(dir, "ca.pem") });
    const apiUrl = `${daemon.urls.https}/api/v1`;
    const withCert = client({ apiUrl, certFile: join(dir, "client.pem"), keyFile: join(dir, "client.key") });
    expect(await withCert.request("GET", "/version")).toEqual({ version: MANAGER_VERSION });
    await expect(client({ apiUrl }).request("GET", "/version")).rejects.toThrow(/GET https:\/\/127\.0\.50\.22/);
    const missing = client({ apiUrl, certFile: join(dir, "none.pem"), keyFile: join(dir, "client.key") });
    await expect(missing.request("GET", "/version")).rejects.toThrow(`--api-cert-file: read ${join(dir, "none.pem")}`);
  });

  test("bodies: JSON on POST and on GET (SM's target endpoints read one), sized, not chunked", async () => {
    // node:http, not Bun.serve: Bun.serve drops GET bodies (as our server's listener explains).
    const seen: { method: string; body: string; length: string | undefined; chunked: boolean }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const chunked = req.headers["transfer-encoding"] === "chunked";
        seen.push({ method: req.method ?? "", body, length: req.headers["content-length"], chunked });
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ echo: JSON.parse(body || "null") }));
      });
    });
    await new Promise<void>((listening) => server.listen(0, "127.0.50.23", listening));
    cleanups.push(() => new Promise((closed) => server.close(closed)));
    const { port } = server.address() as AddressInfo;
    const api = client({ apiUrl: `http://127.0.50.23:${port}/api/v1` });
    expect(await api.request("POST", "/x", { body: { a: 1 } })).toEqual({ echo: { a: 1 } });
    expect(await api.request("GET", "/x", { body: { b: "é" } })).toEqual({ echo: { b: "é" } });
    expect(await api.request("GET", "/x")).toEqual({ echo: null });
    expect(seen).toEqual([
      { method: "POST", body: '{"a":1}', length: "7", chunked: false },
      { method: "GET", body: '{"b":"é"}', length: "10", chunked: false },
      { method: "GET", body: "", length: undefined, chunked: false },
    ]);
  });

  test("a proxy in the environment is not used (as before: node:http never read it)", async () => {
    const daemon = await start({ http: "127.0.50.25:0" });
    const api = client({ apiUrl: `${daemon.urls.http}/api/v1` });
    const saved = process.env.HTTP_PROXY;
    process.env.HTTP_PROXY = "http://127.0.50.26:9";
    try {
      expect(await api.request("GET", "/version")).toEqual({ version: MANAGER_VERSION });
    } finally {
      if (saved === undefined) delete process.env.HTTP_PROXY;
      else process.env.HTTP_PROXY = saved;
    }
  });

  test("an unreachable server is 'connection refused' for requests with and without a body", async () => {
    const api = client({ apiUrl: "http://127.0.50.24:9/api/v1" });
    await expect(api.request("GET", "/version")).rejects.toThrow(
      "GET http://127.0.50.24:9/api/v1/version: connection refused",
    );
    await expect(api.request("GET", "/target", { body: {} })).rejects.toThrow(
      "GET http://127.0.50.24:9/api/v1/target: connection refused",
    );
    await expect(api.request("PUT", "/x", { body: {} })).rejects.toThrow(
      "PUT http://127.0.50.24:9/api/v1/x: connection refused",
    );
  });

  test("invalid API URLs are config errors", () => {
    expect(() => new ManagerApiClient({ apiUrl: "not a url" })).toThrow('invalid API URL "not a url"');
    expect(() => new ManagerApiClient({ apiUrl: "ftp://x/api/v1" })).toThrow("scheme must be http or https");
  });
});
