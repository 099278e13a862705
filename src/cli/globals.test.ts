import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_API_URL, deriveApiUrl, requireCluster, resolveGlobals } from "./globals.ts";
import { findClosest, levenshtein } from "./suggest.ts";

const dir = mkdtempSync(join(tmpdir(), "sctool-globals-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configWith(text: string): string {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  return file;
}

describe("resolveGlobals", () => {
  const none = join(dir, "missing.yaml");

  test("flags win over env; env over defaults", async () => {
    const env = { SCYLLA_MANAGER_API_URL: "http://e:1/api/v1", SCYLLA_MANAGER_CLUSTER: "envc" };
    expect(await resolveGlobals({}, { env, serverConfigFile: none })).toMatchObject({
      apiUrl: "http://e:1/api/v1",
      cluster: "envc",
    });
    expect(
      await resolveGlobals({ "api-url": "http://f:2/api/v1", cluster: "flagc" }, { env, serverConfigFile: none }),
    ).toMatchObject({ apiUrl: "http://f:2/api/v1", cluster: "flagc" });
    expect(await resolveGlobals({}, { env: {}, serverConfigFile: none })).toEqual({
      apiUrl: DEFAULT_API_URL,
      cluster: undefined,
      apiCertFile: undefined,
      apiKeyFile: undefined,
      apiToken: undefined,
      debug: false,
    });
  });

  test("cert and key: both or neither", async () => {
    await expect(resolveGlobals({ "api-cert-file": "c.pem" }, { env: {}, serverConfigFile: none })).rejects.toThrow(
      "both --api-cert-file and --api-key-file must be set",
    );
    const env = { SCYLLA_MANAGER_API_CERT_FILE: "c.pem", SCYLLA_MANAGER_API_KEY_FILE: "k.pem" };
    expect(await resolveGlobals({}, { env, serverConfigFile: none })).toMatchObject({
      apiCertFile: "c.pem",
      apiKeyFile: "k.pem",
    });
  });

  test("requireCluster names the flag and env var", async () => {
    const globals = await resolveGlobals({}, { env: {}, serverConfigFile: none });
    expect(() => requireCluster(globals)).toThrow('required flag(s) "cluster" not set');
  });

  test("the API URL derived from the server config, as SM", async () => {
    expect(await deriveApiUrl(configWith("http: 127.0.0.1:5080\n"))).toBe("http://127.0.0.1:5080/api/v1");
    expect(await deriveApiUrl(configWith("http: :5080\n"))).toBe("http://127.0.0.1:5080/api/v1");
    expect(await deriveApiUrl(configWith("https: '[::]:5443'\n"))).toBe("https://[::1]:5443/api/v1");
    expect(await deriveApiUrl(configWith("https: 0.0.0.0:5443\n"))).toBe("https://127.0.0.1:5443/api/v1");
    expect(await deriveApiUrl(configWith("- not a map\n"))).toBeUndefined();
    expect(await deriveApiUrl(none)).toBeUndefined();
    const file = configWith("http: 127.0.0.2:6000\n");
    expect((await resolveGlobals({}, { env: {}, serverConfigFile: file })).apiUrl).toBe("http://127.0.0.2:6000/api/v1");
  });
});

describe("suggestions", () => {
  test("levenshtein and closest", () => {
    expect(levenshtein("kitten", "sitting")).toBe(3);
    expect(levenshtein("", "abc")).toBe(3);
    expect(findClosest("stauts", ["backup", "status", "start"])).toBe("status");
    expect(findClosest("rep", ["backup", "repair"])).toBe("repair");
  });
});
