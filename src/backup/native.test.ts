import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { type NodeInfo, NodeInfoSchema } from "../clients/agent/node-info.ts";
import { parseLocation } from "./layout/index.ts";
import { hostNativeBackupSupport } from "./native.ts";
import { parseBackupProperties } from "./properties.ts";

const entry = (name: string, type = "") => ({ name, port: 9000, use_https: false, aws_region: "", type });

function info(version: string, endpoints: Record<string, ReturnType<typeof entry>>, gcsEndpoint = ""): NodeInfo {
  return v.parse(NodeInfoSchema, {
    scylla_version: version,
    object_storage_endpoints: endpoints,
    rclone_backend_config: { s3: { endpoint: "http://10.0.0.9:9000" }, gcs: { endpoint: gcsEndpoint } },
  });
}

describe("native backup support", () => {
  const s3 = parseLocation("s3:bucket");
  const eps = { "10.0.0.9": entry("10.0.0.9") };

  test("auto needs Scylla 2025.2 and a matching endpoint; native skips the version gate; rclone never", () => {
    expect(hostNativeBackupSupport(info("2025.2.0-0.20250601.abc", eps), s3, "auto")).toEqual({
      ok: true,
      endpoint: "10.0.0.9",
    });
    expect(hostNativeBackupSupport(info("2026.1.1", eps), s3, "auto")).toEqual({ ok: true, endpoint: "10.0.0.9" });
    expect(hostNativeBackupSupport(info("2025.1.9", eps), s3, "auto")).toEqual({
      ok: false,
      reason: "Scylla 2025.1.9 is older than 2025.2",
    });
    expect(hostNativeBackupSupport(info("2025.1.9", eps), s3, "native")).toEqual({ ok: true, endpoint: "10.0.0.9" });
    expect(hostNativeBackupSupport(info("2026.1.1", eps), s3, "rclone").ok).toBe(false);
    expect(hostNativeBackupSupport(info("2026.1.1", {}), s3, "native")).toEqual({
      ok: false,
      reason: "no object storage endpoint configured",
    });
    const other = hostNativeBackupSupport(info("2026.1.1", { x: entry("10.0.0.8") }), s3, "auto");
    expect(other.ok ? "" : other.reason).toContain("configurations don't match");
  });

  test("s3 and gcs only; gcs needs an entry of type gs (the agent's gcs endpoint when it sets one)", () => {
    expect(hostNativeBackupSupport(info("2026.1.1", eps), parseLocation("azure:c"), "native")).toEqual({
      ok: false,
      reason: "unsupported provider azure for native Scylla backup and restore",
    });
    const gcs = parseLocation("gcs:bucket");
    expect(hostNativeBackupSupport(info("2026.1.1", eps), gcs, "native").ok).toBe(false);
    const gs = { ...eps, "https://storage.googleapis.com": entry("https://storage.googleapis.com", "gs") };
    expect(hostNativeBackupSupport(info("2026.1.1", gs), gcs, "auto")).toEqual({
      ok: true,
      endpoint: "https://storage.googleapis.com",
    });
    // An s3 location never picks the gs entry.
    expect(hostNativeBackupSupport(info("2026.1.1", gs), s3, "auto")).toEqual({ ok: true, endpoint: "10.0.0.9" });
    const fake = { f: entry("fake-gcs", "gs") };
    expect(hostNativeBackupSupport(info("2026.1.1", fake, "http://fake-gcs:9000"), gcs, "auto")).toEqual({
      ok: true,
      endpoint: "fake-gcs",
    });
    expect(hostNativeBackupSupport(info("2026.1.1", fake, "http://elsewhere:9000"), gcs, "auto").ok).toBe(false);
  });

  test("every method is accepted by the properties", () => {
    for (const method of ["rclone", "native", "auto"] as const) {
      expect(parseBackupProperties({ location: ["s3:b"], method }).method).toBe(method);
    }
    expect(() => parseBackupProperties({ location: ["s3:b"], method: "scp" })).toThrow('invalid method "scp"');
  });
});
