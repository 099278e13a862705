import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { autofillProviders, loadAgentConfig, resolveHttpsAddress, splitHostPort } from "./config.ts";

const dirs: string[] = [];
function write(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "agent-config-"));
  dirs.push(dir);
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

test("SM's defaults apply under a minimal file", () => {
  const config = loadAgentConfig([write("a.yaml", "auth_token: secret\n")]);
  expect(config).toMatchObject({
    auth_token: "secret",
    https: "",
    https_port: 10001,
    tls_version: "TLSv1.2",
    prometheus: ":5090",
    debug: "127.0.0.1:5112",
    cpu: [-1],
    scylla: { api_address: "0.0.0.0", api_port: "10000" },
    rclone: { transfers: 2, checkers: 100, low_level_retries: 20 },
  });
  expect(resolveHttpsAddress({ ...config, scylla: { ...config.scylla, listen_address: "10.0.0.5" } })).toBe(
    "10.0.0.5:10001",
  );
});

test("later files override earlier ones; api_port may be a number", () => {
  const a = write("a.yaml", "auth_token: one\nscylla:\n  api_address: 127.0.0.9\n");
  const b = write("b.yaml", "auth_token: two\nscylla:\n  api_port: 10010\ncpu: 3\nlocalstorage:\n  path: /mnt/nfs\n");
  const config = loadAgentConfig([a, b]);
  expect(config.auth_token).toBe("two");
  expect(config.scylla).toMatchObject({ api_address: "127.0.0.9", api_port: "10010" });
  expect(config.cpu).toEqual([3]);
  expect(config.localstorage.path).toBe("/mnt/nfs");
});

test("a config without auth_token is refused, naming the file and the key", () => {
  const file = write("agent.yaml", "https_port: 10001\n");
  expect(() => loadAgentConfig([file])).toThrow(/auth-token.*"auth_token".*agent\.yaml/);
});

test("an unknown key or a wrong type is a config error naming the key", () => {
  expect(() => loadAgentConfig([write("x.yaml", "auth_token: t\ntls_mode: TLSv1.3\n")])).toThrow(/tls_mode/);
  expect(() => loadAgentConfig([write("y.yaml", "auth_token: t\ntls_version: SSLv3\n")])).toThrow(/tls_version/);
});

test("host:port splitting", () => {
  expect(splitHostPort(":5090")).toEqual({ host: "0.0.0.0", port: 5090 });
  expect(splitHostPort("[::1]:10001")).toEqual({ host: "::1", port: 10001 });
  expect(splitHostPort("127.0.0.1:0")).toEqual({ host: "127.0.0.1", port: 0 });
});

test("GCS uses SM's default service-account file when it exists and none is set", () => {
  const file = write("gcs.json", "{}");
  const base = loadAgentConfig([write("a.yaml", "auth_token: t\n")]);
  expect(autofillProviders(base, file).gcs.service_account_file).toBe(file);
  expect(autofillProviders(base, "/nonexistent.json").gcs.service_account_file).toBeUndefined();
  const explicit = loadAgentConfig([write("b.yaml", "auth_token: t\ngcs:\n  service_account_file: /x.json\n")]);
  expect(autofillProviders(explicit, file).gcs.service_account_file).toBe("/x.json");
});
