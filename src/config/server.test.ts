import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../errors.ts";
import { parseGoDuration } from "../util/go-duration.ts";
import { defaultServerConfig, loadServerConfig } from "./server.ts";

const dir = mkdtempSync(join(tmpdir(), "config-server-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function loadError(files: string[]): ConfigError {
  try {
    loadServerConfig(files);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("parseGoDuration (config: days allowed)", () => {
  test.each([
    ["0", 0],
    ["1s", 1000],
    ["50ms", 50],
    ["1h30m", 5_400_000],
    ["1.5s", 1500],
    ["7d", 604_800_000],
    ["500us", 0.5],
  ])("%s → %d ms", (text, ms) => {
    expect(parseGoDuration(text, { days: true })).toBe(ms);
  });
  test.each(["", "10", "1x", "s", "1s junk", "1 s"])("rejects %p", (text) => {
    expect(parseGoDuration(text, { days: true })).toBeUndefined();
  });
});

describe("server config", () => {
  test("defaults match SM, durations in milliseconds", () => {
    const config = defaultServerConfig();
    expect(config.prometheus).toBe(":5090");
    expect(config.debug).toBe("127.0.0.1:5112");
    expect(config.tls_version).toBe("TLSv1.2");
    expect(config.client_cache_timeout).toBe(15 * 60_000);
    expect(config.logger).toEqual({
      mode: "stderr",
      level: "info",
      encoding: "json",
      development: false,
      sampling: { initial: 1, thereafter: 100 },
    });
    expect(config.database.hosts).toEqual(["127.0.0.1"]);
    expect(config.database.keyspace).toBe("scylla_manager");
    expect(config.database.timeout).toBe(1000);
    expect(config.healthcheck).toEqual({
      max_timeout: 1000,
      node_info_ttl: 300_000,
      cql_ping_cron: "* * * * *",
      rest_ping_cron: "* * * * *",
      alternator_ping_cron: "* * * * *",
    });
    expect(config.backup.age_max).toBe(86_400_000);
    expect(config.repair.poll_interval).toBe(50);
    expect(config.repair.graceful_stop_timeout).toBe(30_000);
    expect(config.repair.force_repair_type).toBe("auto");
    expect(config.agent_client.backoff).toEqual({
      wait_min: 1000,
      wait_max: 30_000,
      max_retries: 9,
      multiplier: 2,
      jitter: 0.2,
    });
    expect(config.agent_client.interactive_backoff.max_retries).toBe(1);
    expect(config.agent_client.max_timeout).toBe(3_600_000);
    expect(config.store).toBe("sqlite");
    expect(config.data_dir).toBe("");
  });

  test("a typical SM config loads, merged with a second file", () => {
    const main = write(
      "scylla-manager.yaml",
      [
        "http: 127.0.0.1:5080",
        "https: 127.0.0.1:5443",
        "tls_version: TLSv1.3",
        "logger:",
        "  mode: stderr",
        "  level: debug",
        "database:",
        "  hosts: [10.0.0.1, 10.0.0.2]",
        "  timeout: 600ms",
        "healthcheck:",
        "  max_timeout: 2s",
        "  probes: [cql, rest]",
        "  relative_timeout: 2s",
        "repair:",
        "  age_max: 0",
        "",
      ].join("\n"),
    );
    const local = write("local.yaml", "data_dir: /tmp/sm\nstore: memory\nhealthcheck:\n  node_info_ttl: 1m\n");
    const config = loadServerConfig([main, local]);
    expect(config.http).toBe("127.0.0.1:5080");
    expect(config.database.hosts).toEqual(["10.0.0.1", "10.0.0.2"]);
    expect(config.database.timeout).toBe(600);
    expect(config.healthcheck.max_timeout).toBe(2000);
    expect(config.healthcheck.node_info_ttl).toBe(60_000);
    // deprecated keys are accepted and dropped
    expect(Object.keys(config.healthcheck)).not.toContain("probes");
    expect(config.store).toBe("memory");
    expect(config.data_dir).toBe("/tmp/sm");
  });

  test("a bad duration names the file and the key", () => {
    const bad = write("dur.yaml", "http: :5080\nrepair:\n  poll_interval: fast\n");
    const error = loadError([bad]);
    expect(error.message).toContain(bad);
    expect(error.message).toContain("repair.poll_interval");
    expect(error.message).toContain("30s");
  });

  test("an unknown key names the file, the path and the valid keys", () => {
    const bad = write("unknown.yaml", "http: :5080\nhealthcheck:\n  max_timout: 1s\n");
    const error = loadError([bad]);
    expect(error.message).toContain(`${bad}: healthcheck.max_timout: unknown key`);
    expect(error.message).toContain("max_timeout");
  });

  test("bad enum, bad address, bad secret key", () => {
    const bad = write("misc.yaml", 'http: "5080"\ntls_version: TLSv9\nsecret_key: short\n');
    const error = loadError([bad]);
    expect(error.message).toContain("http: expected host:port");
    expect(error.message).toContain("tls_version");
    expect(error.message).toContain("secret_key");
  });

  test("http or https is required; explicit missing files fail", () => {
    const none = write("none.yaml", "prometheus: :5091\n");
    expect(loadError([none]).message).toContain("no http or https");
    expect(loadServerConfig([none], { requireListener: false }).prometheus).toBe(":5091");
    expect(loadError([join(dir, "missing.yaml")]).message).toContain("no such file");
  });
});
