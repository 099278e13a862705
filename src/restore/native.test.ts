import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { parseLocation } from "../backup/layout/location.ts";
import { type NodeInfo, NodeInfoSchema } from "../clients/agent/node-info.ts";
import { sameS3Endpoint } from "../clients/agent/object-storage-endpoint.ts";
import { hostNativeSupport, nativePrefix, sstableSupportsNative } from "./native.ts";

const endpoint = (name: string, port = 9000, useHttps = false) => ({
  name,
  port,
  use_https: useHttps,
  aws_region: "",
  iam_role_arn: "",
  type: "",
});

function info(version: string, s3Endpoint: string, endpoints: Record<string, ReturnType<typeof endpoint>>): NodeInfo {
  return v.parse(NodeInfoSchema, {
    scylla_version: version,
    object_storage_endpoints: endpoints,
    rclone_backend_config: { s3: { endpoint: s3Endpoint } },
  });
}

describe("native restore support", () => {
  test("the agent's s3 endpoint matches Scylla's entry without scheme, port and brackets", () => {
    expect(sameS3Endpoint({ endpoint: "http://minio.local:9000", region: "" }, endpoint("minio.local"))).toBe(true);
    expect(
      sameS3Endpoint({ endpoint: "https://minio.local:9000", region: "" }, endpoint("minio.local", 9000, true)),
    ).toBe(true);
    // The scheme must be the one the entry uses.
    expect(sameS3Endpoint({ endpoint: "https://minio.local:9000", region: "" }, endpoint("minio.local"))).toBe(false);
    expect(sameS3Endpoint({ endpoint: "http://other:9000", region: "" }, endpoint("minio.local"))).toBe(false);
    expect(sameS3Endpoint({ endpoint: "", region: "eu-west-1" }, endpoint("s3.eu-west-1.amazonaws.com", 443))).toBe(
      true,
    );
    expect(sameS3Endpoint({ endpoint: "", region: "" }, endpoint("s3.amazonaws.com"))).toBe(false);
    expect(sameS3Endpoint({ endpoint: "http://[::0:1]:9000", region: "" }, endpoint("[::1]"))).toBe(true);
  });

  test("auto needs Scylla 2026.1 and a matching endpoint; native skips the version gate; only s3", () => {
    const s3 = parseLocation("s3:bucket");
    const eps = { "10.0.0.9": endpoint("10.0.0.9") };
    const recent = info("2026.1.0-0.20260101.abc", "http://10.0.0.9:9000", eps);
    const old = info("2025.1.3", "http://10.0.0.9:9000", eps);
    expect(hostNativeSupport(recent, s3, "auto")).toEqual({ ok: true, endpoint: "10.0.0.9" });
    expect(hostNativeSupport(old, s3, "auto").ok).toBe(false);
    expect(hostNativeSupport(old, s3, "native")).toEqual({ ok: true, endpoint: "10.0.0.9" });
    expect(hostNativeSupport(recent, s3, "rclone").ok).toBe(false);
    expect(hostNativeSupport(recent, parseLocation("gcs:bucket"), "native")).toEqual({
      ok: false,
      reason: "unsupported provider gcs for native Scylla restore",
    });
    const mismatch = hostNativeSupport(info("2026.1.0", "http://10.0.0.8:9000", eps), s3, "native");
    expect(mismatch.ok).toBe(false);
    expect(mismatch.ok ? "" : mismatch.reason).toContain("configurations don't match");
    expect(hostNativeSupport(info("2026.1.0", "http://10.0.0.9:9000", {}), s3, "native")).toEqual({
      ok: false,
      reason: "no object storage endpoint configured",
    });
  });

  test("SSTables with UUID IDs and no versioned file qualify; the prefix drops provider and bucket", () => {
    expect(sstableSupportsNative({ idType: "uuid", versioned: false })).toBe(true);
    expect(sstableSupportsNative({ idType: "int", versioned: false })).toBe(false);
    expect(sstableSupportsNative({ idType: "uuid", versioned: true })).toBe(false);
    expect(nativePrefix("s3:bucket/backup/sst/cluster/c/dc/dc1", parseLocation("dc1:s3:bucket"))).toBe(
      "backup/sst/cluster/c/dc/dc1",
    );
    expect(() => nativePrefix("s3:other/backup/sst", parseLocation("s3:bucket"))).toThrow("is not in location");
  });
});
