/**
 * Agent hardening (issue 10): metrics labelled by route pattern (random paths, 401s included, never grow the
 * registry), a missing or malformed Host is a 400 without a development page on every listener, a symlink loop and
 * a deeply nested body are 4xx, and no error body carries an absolute path, a stack or a large echo. 127.4.2.x.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { rawRequest } from "../test/support/raw-http.ts";
import { startTestAgent, TEST_TOKEN, type TestAgent } from "./testing/harness.ts";

let t: TestAgent;
let api: { host: string; port: number };
let prom: { host: string; port: number };

beforeAll(async () => {
  t = await startTestAgent("127.4.2.1");
  const a = new URL(t.agent.url);
  api = { host: a.hostname, port: Number(a.port) };
  const p = new URL(t.agent.prometheusUrl ?? "");
  prom = { host: p.hostname, port: Number(p.port) };
});
afterAll(() => t.close());

async function metricsText(): Promise<string> {
  return (await fetch(`${t.agent.prometheusUrl}/metrics`)).text();
}

/** No absolute path of this machine, no stack frame. */
function expectClean(body: string): void {
  expect(body).not.toContain(t.root);
  expect(body).not.toMatch(/\n\s+at /);
  expect(body).not.toContain("node_modules");
}

describe("metrics are labelled by route pattern", () => {
  test("1,000 random long paths (unauthenticated and authenticated) add no series", async () => {
    await t.request("/agent/node_info");
    const before = await metricsText();
    const random = (i: number) => `/x${i}-${crypto.randomUUID()}/${"p".repeat(200)}`;
    // 401s wait out the 1 s penalty in parallel, 100 at a time.
    const answers: Response[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const unauthenticated = batch < 5;
      const round = await Promise.all(
        Array.from({ length: 100 }, (_, j) => {
          const i = batch * 100 + j;
          return unauthenticated
            ? t.request(random(i), { token: null })
            : t.request(random(i), { method: i % 2 ? "BREW" : "GET" });
        }),
      );
      for (const answer of round) await answer.body?.cancel();
      answers.push(...round);
    }
    expect(answers.slice(0, 500).every((a) => a.status === 401)).toBe(true);
    const after = await metricsText();
    expect(after).not.toContain("pppp");
    expect(after).toContain('scylla_manager_agent_http_status_code{method="GET",path="unknown",code="401"} 500');
    expect(after).toContain('scylla_manager_agent_http_status_code{method="GET",path="/agent/node_info",code="200"}');
    const series = (text: string) => text.split("\n").filter((l) => l.startsWith("scylla_manager_agent_http")).length;
    expect(series(after) - series(before)).toBeLessThanOrEqual(4);
    expect(after.length - before.length).toBeLessThan(2048);
  }, 60_000);

  test("rc calls are labelled by call; unexposed ones share one label", async () => {
    await (await t.rc("operations/list", { fs: "data:", remote: "" })).body?.cancel();
    await (await t.rc(`nope/${"z".repeat(100)}`, {})).body?.cancel();
    const text = await metricsText();
    expect(text).toContain('path="/agent/rclone/operations/list"');
    expect(text).toContain('path="/agent/rclone/*",code="404"');
    expect(text).not.toContain("zzzz");
  });
});

describe("Host header", () => {
  const heads = [
    "GET /ping HTTP/1.1\r\nHost: a@b\r\n\r\n",
    "GET /ping HTTP/1.1\r\nHost: x/agent/node_info?\r\n\r\n",
    "GET /ping HTTP/1.1\r\nHost: a b\r\n\r\n",
    "GET /ping HTTP/1.1\r\n\r\n",
  ];
  for (const [name, target, tls] of [
    ["API", () => api, true],
    ["metrics listener", () => prom, false],
  ] as const) {
    test(`${name}: a missing or malformed Host is a 400, never a development page`, async () => {
      for (const head of heads) {
        const answer = await rawRequest({ ...target(), tls, head });
        expect([head, answer.status]).toEqual([head, 400]);
        expectClean(answer.body);
        expect(answer.body).not.toContain("<html");
      }
      const ok = await rawRequest({
        ...target(),
        tls,
        head: `GET ${tls ? "/ping" : "/metrics"} HTTP/1.1\r\nHost: 127.4.2.1\r\nConnection: close\r\n\r\n`,
      });
      expect(ok.status).toBe(tls ? 204 : 200);
    });
  }

  test("an authenticated request with a Host that smuggles a path is refused", async () => {
    const answer = await rawRequest({
      ...api,
      tls: true,
      head: `GET /nothing HTTP/1.1\r\nHost: x/agent/node_info?\r\nAuthorization: Bearer ${TEST_TOKEN}\r\n\r\n`,
    });
    expect(answer.status).toBe(400);
  });
});

describe("errors are 4xx without internals", () => {
  test("a symlink loop in the data dir is a 400 without the data dir's path", async () => {
    mkdirSync(join(t.dataDir, "loops"), { recursive: true });
    symlinkSync("self", join(t.dataDir, "loops", "self"));
    symlinkSync("b", join(t.dataDir, "loops", "a"));
    symlinkSync("a", join(t.dataDir, "loops", "b"));
    for (const [call, body] of [
      ["operations/fileinfo", { fs: "data:", remote: "loops/self" }],
      ["operations/cat", { fs: "data:", remote: "loops/a" }],
      ["operations/list", { fs: "data:", remote: "loops/self" }],
      ["operations/copyfile", { srcFs: "data:", srcRemote: "loops/a", dstFs: "localstorage:bucket", dstRemote: "x" }],
    ] as const) {
      const answer = await t.rc(call, body);
      const text = await answer.text();
      expect([call, answer.status >= 400 && answer.status < 500]).toEqual([call, true]);
      expectClean(text);
    }
  });

  test("a 100,000-deep JSON body is a 400 that does not echo it", async () => {
    const body = `{"fs":${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
    const answer = await t.request("/agent/rclone/operations/list", { method: "POST", body });
    const text = await answer.text();
    expect(answer.status).toBe(400);
    expect(text.length).toBeLessThan(500);
    expect(text).toContain("exceeded max depth");
  });

  test("a large input is not echoed in an error body", async () => {
    const answer = await t.rc("operations/fileinfo", { fs: "data:", remote: "missing", pad: "y".repeat(100_000) });
    const text = await answer.text();
    expect(answer.status).toBe(404);
    expect(text.length).toBeLessThan(2000);
    expectClean(text);
  });
});
