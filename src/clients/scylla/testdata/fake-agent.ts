/**
 * A fake agent for gateway tests (STYLE #16): HTTPS on a loopback IP, replaying `scylla-api/<name>.json`
 * (a `<name>.<status>.json` file sets the status), with per-path overrides and a request log.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import selfsigned from "selfsigned";

export interface FakeAgent {
  host: string;
  port: number;
  /** Requests seen: `METHOD path?query` with the Authorization header. */
  requests: { line: string; authorization: string | null }[];
  /** Override a path (`GET /x`) with a handler. */
  route(key: string, handler: (req: Request) => Response | Promise<Response>): void;
  stop(): void;
}

export interface TestCert {
  cert: string;
  key: string;
}

let cached: TestCert | undefined;

/** A self-signed certificate for 127.0.30.0/24 test hosts (generated once per process). */
export async function createTestCert(): Promise<TestCert> {
  if (cached) return cached;
  const altNames = Array.from({ length: 20 }, (_, i) => ({ type: 7, ip: `127.0.30.${i + 1}` }));
  const pems = await selfsigned.generate([{ name: "commonName", value: "fake-agent" }], {
    keySize: 2048,
    days: 2,
    algorithm: "sha256",
    extensions: [{ name: "subjectAltName", altNames }],
  } as never);
  cached = { cert: pems.cert, key: pems.private };
  return cached;
}

const dir = join(import.meta.dir, "scylla-api");

function loadCanned(): Map<string, { status: number; body: string }> {
  const out = new Map<string, { status: number; body: string }>();
  for (const file of readdirSync(dir)) {
    const match = /^(.+?)(?:\.(\d{3}))?\.json$/.exec(file);
    if (!match?.[1]) continue;
    out.set(match[1], { status: Number(match[2] ?? 200), body: readFileSync(join(dir, file), "utf8") });
  }
  return out;
}

/** `GET /storage_service/host_id` → `storage_service_host_id`. */
function cannedName(url: URL): string {
  return url.pathname.replace(/^\/+|\/+$/g, "").replace(/\//g, "_");
}

/** Starts a fake agent on `host` (port 0 unless given). */
export async function startFakeAgent(host: string, port = 0, token = ""): Promise<FakeAgent> {
  const tls = await createTestCert();
  const canned = loadCanned();
  const routes = new Map<string, (req: Request) => Response | Promise<Response>>();
  const requests: FakeAgent["requests"] = [];
  const server = Bun.serve({
    hostname: host,
    port,
    tls: { cert: tls.cert, key: tls.key },
    development: false,
    // Bun turns SO_REUSEPORT on when development is off: a second server on the port would then share it silently.
    reusePort: false,
    async fetch(req) {
      const url = new URL(req.url);
      requests.push({
        line: `${req.method} ${url.pathname}${url.search}`,
        authorization: req.headers.get("authorization"),
      });
      if (token !== "" && req.headers.get("authorization") !== `Bearer ${token}`) {
        return Response.json({ message: "unauthorized", code: 401 }, { status: 401 });
      }
      const custom = routes.get(`${req.method} ${url.pathname}`);
      if (custom) return custom(req);
      const entry = canned.get(cannedName(url));
      if (!entry)
        return new Response(JSON.stringify({ message: `Not found: ${url.pathname}`, code: 404 }), { status: 404 });
      return new Response(entry.body, { status: entry.status, headers: { "content-type": "text/plain" } });
    },
  });
  return {
    host,
    port: server.port ?? 0,
    requests,
    route: (key, handler) => routes.set(key, handler),
    stop: () => server.stop(true),
  };
}
