import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import { generate } from "selfsigned";
import { defaultServerConfig, type ServerConfig } from "../config/server.ts";
import { IMPORT_MARKER } from "../importsm/marker.ts";
import { Manager } from "../manager/manager.ts";
import { openStore } from "../store/open.ts";
import { createLogger, createSilentLogger } from "../util/log.ts";
import { type Daemon, startDaemon } from "./daemon.ts";
import { parseListenAddress } from "./listen-address.ts";
import { MANAGER_VERSION } from "./version.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(overrides: Partial<ServerConfig>, withTargetRunner = false): Promise<Daemon> {
  const config = { ...defaultServerConfig(), store: "memory" as const, prometheus: "", ...overrides };
  const daemon = await startDaemon([], {
    config,
    logger: createSilentLogger(),
    ...(withTargetRunner ? { createManager: createManagerWithRepairTarget } : {}),
  });
  cleanups.push(() => daemon.close());
  return daemon;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "sm-daemon-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe("parseListenAddress", () => {
  test("SM's forms", () => {
    expect(parseListenAddress("http", "127.0.0.1:5080")).toEqual({ hostname: "127.0.0.1", port: 5080 });
    expect(parseListenAddress("http", ":5080")).toEqual({ hostname: "0.0.0.0", port: 5080 });
    expect(parseListenAddress("http", "[::1]:5080")).toEqual({ hostname: "::1", port: 5080 });
    expect(() => parseListenAddress("http", "5080")).toThrow("invalid http address");
    expect(() => parseListenAddress("http", "a:99999")).toThrow("invalid http address");
  });
});

describe("startDaemon", () => {
  test("http and prometheus listeners; close stops accepting", async () => {
    const daemon = await start({ http: "127.0.50.1:0", prometheus: "127.0.50.1:0" });
    expect(daemon.urls.http).toStartWith("http://127.0.50.1:");
    const ping = await fetch(`${daemon.urls.http}/ping`);
    expect(ping.status).toBe(204);
    expect(await (await fetch(`${daemon.urls.http}/api/v1/version`)).json()).toEqual({ version: MANAGER_VERSION });
    const metrics = await (await fetch(`${daemon.urls.prometheus}/metrics`)).text();
    expect(metrics).toContain(`scylla_manager_server_current_version{version="${MANAGER_VERSION}"} 0`);
    const consul = await fetch(`${daemon.urls.prometheus}/v1/catalog/services`);
    expect(await consul.json()).toEqual({ scylla: [] });
    await daemon.close();
    await expect(fetch(`${daemon.urls.http}/ping`)).rejects.toThrow();
  });

  test("the Manager is wired: task routes answer for a stored cluster", async () => {
    const daemon = await start({ http: "127.0.50.5:0" });
    await daemon.deps.store.putCluster({
      id: "5b1c1a5e-8c8e-4b7e-9f0e-3d3a1f2b4c5d",
      name: "c1",
      labels: {},
      host: "127.0.50.6",
      knownHosts: [],
      port: 0,
      authToken: "",
      forceTlsDisabled: false,
      forceNonSslSessionPort: false,
    });
    const res = await fetch(`${daemon.urls.http}/api/v1/cluster/c1/tasks`);
    expect(res.status).toBe(200);
    const missing = await fetch(`${daemon.urls.http}/api/v1/cluster/nope/tasks`);
    expect(missing.status).toBe(404);
  });

  test("https with a generated self-signed certificate", async () => {
    const daemon = await start({ https: "127.0.50.2:0" });
    const res = await fetch(`${daemon.urls.https}/api/v1/version`, { tls: { rejectUnauthorized: false } });
    expect(await res.json()).toEqual({ version: MANAGER_VERSION });
    // The certificate is not trusted by default: a verifying client refuses it.
    await expect(fetch(`${daemon.urls.https}/ping`)).rejects.toThrow();
  });

  test("tls_version TLSv1.3 refuses a TLS 1.2 client; TLSv1.2 accepts it with GCM/ChaCha suites only", async () => {
    const handshake = (url: string, maxVersion: tls.SecureVersion, ciphers?: string) =>
      new Promise<string>((resolve) => {
        const { hostname, port } = new URL(url);
        const socket = tls.connect(
          {
            host: hostname,
            port: Number(port),
            rejectUnauthorized: false,
            maxVersion,
            ...(ciphers ? { ciphers } : {}),
          },
          () => {
            resolve(socket.getProtocol() ?? "");
            socket.end();
          },
        );
        socket.on("error", () => resolve("refused"));
      });
    const strict = await start({ https: "127.0.50.7:0", tls_version: "TLSv1.3" });
    expect(await handshake(strict.urls.https ?? "", "TLSv1.2")).toBe("refused");
    expect(await handshake(strict.urls.https ?? "", "TLSv1.3")).toBe("TLSv1.3");
    const lax = await start({ https: "127.0.50.8:0", tls_version: "TLSv1.2" });
    expect(await handshake(lax.urls.https ?? "", "TLSv1.2")).toBe("TLSv1.2");
    // TLS 1.2 is limited to ECDHE with AES-GCM or ChaCha20, as SM: a CBC suite is refused.
    expect(await handshake(lax.urls.https ?? "", "TLSv1.2", "ECDHE-ECDSA-AES128-SHA")).toBe("refused");
    expect(await handshake(lax.urls.https ?? "", "TLSv1.2", "ECDHE-ECDSA-AES128-GCM-SHA256")).toBe("TLSv1.2");
  });

  test("mTLS with tls_ca_file: client certificate required and verified", async () => {
    const dir = tempDir();
    const ca = await generate([{ name: "commonName", value: "test-ca" }], {
      keyType: "ec",
      algorithm: "sha256",
      extensions: [{ name: "basicConstraints", cA: true }],
      clientCertificate: { cn: "sctool" },
    });
    const stranger = await generate([{ name: "commonName", value: "other-ca" }], {
      keyType: "ec",
      algorithm: "sha256",
      clientCertificate: { cn: "intruder" },
    });
    writeFileSync(join(dir, "ca.pem"), ca.cert);
    const daemon = await start({ https: "127.0.50.3:0", tls_ca_file: join(dir, "ca.pem") });
    const url = `${daemon.urls.https}/api/v1/version`;
    const ok = await fetch(url, {
      tls: { rejectUnauthorized: false, cert: ca.clientcert ?? "", key: ca.clientprivate ?? "" },
    });
    expect(await ok.json()).toEqual({ version: MANAGER_VERSION });
    await expect(fetch(url, { tls: { rejectUnauthorized: false } })).rejects.toThrow();
    await expect(
      fetch(url, {
        tls: { rejectUnauthorized: false, cert: stranger.clientcert ?? "", key: stranger.clientprivate ?? "" },
      }),
    ).rejects.toThrow();
  });

  test("an import-sm that never finished is named at start with the command that finishes it; none, no warning", async () => {
    const config = {
      ...defaultServerConfig(),
      store: "sqlite" as const,
      prometheus: "",
      http: "127.0.0.1:0",
      data_dir: tempDir(),
    };
    const startLogged = async () => {
      const lines: string[] = [];
      const stream = { write: (chunk: string) => lines.push(chunk) } as unknown as NodeJS.WritableStream;
      const daemon = await startDaemon([], { config, logger: createLogger({ encoding: "json", stream }) });
      await daemon.close();
      return lines.map((line) => JSON.parse(line) as Record<string, string>).filter((line) => line.L === "WARN");
    };
    expect(await startLogged()).toEqual([]);
    const store = await openStore(config);
    await store.putDrawer(IMPORT_MARKER.clusterId, IMPORT_MARKER.key, {
      source: "cql://10.0.0.1/scylla_manager",
      startedAt: "2026-12-01T10:00:00.000Z",
      overwrite: false,
    });
    await store.close();
    const warnings = await startLogged();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.M).toContain("cql://10.0.0.1/scylla_manager");
    expect(warnings[0]?.M).toContain("did not finish");
    expect(warnings[0]?.hint).toContain("import-sm --apply");
  });

  test("a busy address is a clear error naming the key and address", async () => {
    const first = await start({ http: "127.0.50.4:0" });
    const port = new URL(first.urls.http ?? "").port;
    const config = { ...defaultServerConfig(), store: "memory" as const, http: "127.0.50.4:0" };
    const busy = { ...config, prometheus: `127.0.50.4:${port}` };
    await expect(startDaemon([], { config: busy, logger: createSilentLogger() })).rejects.toThrow(
      `listen on prometheus address 127.0.50.4:${port}`,
    );
  });

  test("a missing config file is a ConfigError naming it", async () => {
    const missing = join(tempDir(), "nope.yaml");
    await expect(startDaemon([missing])).rejects.toThrow(missing);
  });
});

const CLUSTER_ID = "5b1c1a5e-8c8e-4b7e-9f0e-3d3a1f2b4c5e";

/**
 * A Manager with a task type whose dry-run target echoes the properties it received: the internal `mock` type, since
 * the daemon registers the real repair runner (whose target needs a live cluster) after this hook.
 */
function createManagerWithRepairTarget(deps: ConstructorParameters<typeof Manager>[0]): Manager {
  const manager = new Manager({ store: deps.store, logger: deps.logger, metrics: deps.metrics, config: deps.config });
  manager.registerRunner("mock", {
    run: async () => undefined,
    getTarget: async (clusterId, properties) => ({ cluster_id: clusterId, echoed: properties }),
  });
  return manager;
}

async function putCluster(daemon: Daemon): Promise<void> {
  await daemon.deps.store.putCluster({
    id: CLUSTER_ID,
    name: "dry",
    labels: {},
    host: "127.0.52.200",
    knownHosts: [],
    port: 0,
    authToken: "",
    forceTlsDisabled: false,
    forceNonSslSessionPort: false,
  });
}

interface Answer {
  status: number;
  json: { message?: string; cluster_id?: string; echoed?: unknown };
}

/** What sctool does: a GET (or POST) with a JSON body and an explicit content-length, over node:http(s). */
function requestWithBody(url: string, method: string, body: string, tlsOptions: https.RequestOptions = {}) {
  return new Promise<Answer>((resolve, reject) => {
    const target = new URL(url);
    const options = {
      host: target.hostname,
      port: Number(target.port),
      path: target.pathname,
      method,
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      ...tlsOptions,
    };
    const onResponse = (res: http.IncomingMessage) => {
      let text = "";
      res.on("data", (chunk: Buffer) => {
        text += chunk.toString();
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    };
    const req = target.protocol === "https:" ? https.request(options, onResponse) : http.request(options, onResponse);
    req.on("error", reject);
    req.end(body);
  });
}

describe("dry-run target with a body on a GET (sctool's --dry-run)", () => {
  const body = JSON.stringify({ type: "repair", properties: { keyspace: ["ks1"], intensity: 0.5 } });

  test("over http the GET body reaches the handler, as does the POST extension", async () => {
    const daemon = await start({ http: "127.0.52.10:0" }, true);
    await putCluster(daemon);
    const url = (type: string) => `${daemon.urls.http}/api/v1/cluster/dry/tasks/${type}/target`;
    const got = await requestWithBody(url("mock"), "GET", body);
    expect(got).toEqual({
      status: 200,
      json: { cluster_id: CLUSTER_ID, echoed: { keyspace: ["ks1"], intensity: 0.5 } },
    });
    expect(await requestWithBody(url("mock"), "POST", body)).toEqual(got);
    // The body is parsed: malformed JSON on the GET is the same 400 as on the POST.
    const malformed = await requestWithBody(url("mock"), "GET", '{"type": "repair",');
    expect(malformed.status).toBe(400);
    expect(malformed.json.message).toStartWith("malformed request: invalid JSON body");
    expect(await requestWithBody(url("mock"), "POST", '{"type": "repair",')).toMatchObject({
      status: 400,
      json: { message: malformed.json.message },
    });
    const wrongShape = await requestWithBody(url("mock"), "GET", JSON.stringify({ properties: "nope" }));
    expect(wrongShape.status).toBe(400);
    expect(wrongShape.json.message).toStartWith("malformed request: properties");
    // A type without a target: the same 400 on GET and POST.
    const noTarget = await requestWithBody(url("healthcheck"), "GET", body);
    expect(noTarget.status).toBe(400);
    expect(noTarget.json.message).toContain("no target for this type");
    expect((await requestWithBody(url("healthcheck"), "POST", body)).json.message).toBe(noTarget.json.message);
  });

  test("over https with mTLS the GET body reaches the handler; a client without a certificate is refused", async () => {
    const dir = tempDir();
    const ca = await generate([{ name: "commonName", value: "dry-ca" }], {
      keyType: "ec",
      algorithm: "sha256",
      extensions: [{ name: "basicConstraints", cA: true }],
      clientCertificate: { cn: "sctool" },
    });
    writeFileSync(join(dir, "ca.pem"), ca.cert);
    const daemon = await start({ https: "127.0.53.10:0", tls_ca_file: join(dir, "ca.pem") }, true);
    await putCluster(daemon);
    const url = `${daemon.urls.https}/api/v1/cluster/${CLUSTER_ID}/tasks/mock/target`;
    const withCert = { rejectUnauthorized: false, cert: ca.clientcert ?? "", key: ca.clientprivate ?? "" };
    expect(await requestWithBody(url, "GET", body, withCert)).toEqual({
      status: 200,
      json: { cluster_id: CLUSTER_ID, echoed: { keyspace: ["ks1"], intensity: 0.5 } },
    });
    await expect(requestWithBody(url, "GET", body, { rejectUnauthorized: false })).rejects.toThrow();
  });
});
