import { describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { defaultServerConfig } from "../../config/server.ts";
import { createMetricsRegistry } from "../../metrics/registry.ts";
import { createMemoryStore } from "../../store/memory.ts";
import { createSilentLogger } from "../../util/log.ts";
import { createApp } from "../app.ts";
import { MANAGER_VERSION } from "../version.ts";
// @ts-expect-error TS7016: the console's browser modules (pure ones) are plain JS without types
import { bytes, cronSpec, duration, eta, shortVersion } from "./console/format.js";
// @ts-expect-error TS7016: as above
import { cronProblem, taskBody, validators } from "./console/forms.js";
import { CONSOLE_ASSETS } from "./console.ts";

const app = createApp({
  config: { ...defaultServerConfig(), auth_token: "secret" },
  logger: createSilentLogger(),
  metrics: createMetricsRegistry(MANAGER_VERSION),
  store: createMemoryStore(),
});

describe("/console/ files", () => {
  test("every file is served (open without the token), and every reference between them resolves", async () => {
    expect((await app.request("/console")).headers.get("location")).toBe("/console/");
    for (const [name, asset] of Object.entries(CONSOLE_ASSETS)) {
      const res = await app.request(`/console/${name === "index.html" ? "" : name}`);
      expect({ name, status: res.status, type: res.headers.get("content-type") }).toEqual({
        name,
        status: 200,
        type: asset.type,
      });
    }
    const referenced = new Set<string>();
    for (const asset of Object.values(CONSOLE_ASSETS)) {
      for (const m of asset.body.matchAll(/(?:src|href)="\.\/([^"]+)"|from "\.\/([^"]+)"/g))
        referenced.add(m[1] ?? m[2] ?? "");
    }
    expect([...referenced].filter((name) => !(name in CONSOLE_ASSETS))).toEqual([]);
    // Nothing is fetched from elsewhere than the daemon.
    for (const asset of Object.values(CONSOLE_ASSETS)) expect(asset.body).not.toMatch(/(src|href)="https?:/);
  });

  test("the whole console is far below the 300 KB first-load budget, gzipped as served", () => {
    const total = Object.values(CONSOLE_ASSETS).reduce((n, a) => n + gzipSync(a.body).byteLength, 0);
    expect(total).toBeLessThan(300 * 1024);
  });
});

describe("console helpers", () => {
  test("formatting as sctool prints sizes, durations and versions", () => {
    expect(bytes(512)).toBe("512B");
    expect(bytes(1536)).toBe("1.500KiB");
    expect(duration(90061)).toBe("1d1h1m1s");
    expect(duration(0)).toBe("0s");
    expect(shortVersion("2025.1.0-0.20250101.abcdef")).toBe("2025.1.0");
    expect(shortVersion("666.development")).toBe("666.development");
    expect(shortVersion("3.5")).toBe("3.5.0");
    expect(cronSpec('{"spec":"0 23 * * SAT","start_date":"0001-01-01T00:00:00Z"}')).toBe("0 23 * * SAT");
    expect(cronSpec("@every 15s")).toBe("@every 15s");
  });

  test("ETA at the mean rate since the start", () => {
    const start = new Date(1_000_000).toISOString();
    expect(eta(start, 25, 100, 1_000_000 + 10_000)).toBe(30);
    expect(eta(start, 0, 100, 1_000_000 + 10_000)).toBeUndefined();
    expect(eta(start, 100, 100, 1_000_000 + 10_000)).toBe(0);
  });

  test("forms refuse what the server would refuse, with a message saying how to fix it", () => {
    expect(validators.cluster({ name: "", host: "h" })).toBe("name is required");
    expect(validators.cluster({ name: "8ebca3d4-cf13-402b-9e81-88c69b0eb0e5", host: "h" })).toBe(
      "name must not be a UUID",
    );
    expect(validators.cluster({ name: "a", host: "h", port: "70000" })).toBe("port must be between 1 and 65535");
    expect(validators.cluster({ name: "a", host: "h", username: "u" })).toContain("both");
    expect(validators.cluster({ name: "a", host: "h" })).toBe("");
    expect(validators.task({ type: "backup", location: "" })).toContain("location is required");
    expect(validators.task({ type: "backup", location: "s3:Bad_Bucket" })).toContain("[dc:]provider:bucket");
    expect(validators.task({ type: "backup", location: "ftp:bucket" })).toContain("provider must be one of");
    expect(validators.task({ type: "backup", location: "dc1:s3:backups,gcs:b" })).toBe("");
    expect(validators.task({ type: "repair", intensity: "-1", parallel: "" })).toContain("intensity");
    expect(cronProblem("* * *")).toContain("expected 5 fields");
    expect(cronProblem("@every 1x")).toContain("@every needs a duration");
    expect(cronProblem("@every 1h30m")).toBe("");
    expect(cronProblem("0 23 * * SAT")).toBe("");
    expect(validators.restore({ location: "s3:b", snapshot_tag: "sm_2024", mode: "tables" })).toContain("snapshot tag");
    expect(
      validators.restore({ location: "s3:b", snapshot_tag: "sm_20240101120000UTC", mode: "schema", keyspace: "ks" }),
    ).toContain("no keyspace");
  });

  test("the new-task form sends SM's TaskUpdate with typed properties", () => {
    expect(
      taskBody({
        type: "backup",
        name: " nightly ",
        cron: "0 1 * * *",
        num_retries: "3",
        location: "s3:a, gcs:b",
        keyspace: "",
        dc: "",
        retention: "7",
        retention_days: "",
      }),
    ).toEqual({
      type: "backup",
      name: "nightly",
      enabled: true,
      schedule: { cron: "0 1 * * *", num_retries: 3 },
      properties: { location: ["s3:a", "gcs:b"], retention: 7 },
      labels: {},
    });
  });
});
