import { describe, expect, test } from "bun:test";
import { requireBucketPath, requireObjectPath, splitBucketPath } from "./path.ts";
import { InvalidArgumentBackendError, PermissionBackendError } from "./provider.ts";

describe("bucket paths", () => {
  test("split into bucket and key", () => {
    expect(splitBucketPath("b/dir/file")).toEqual({ bucket: "b", key: "dir/file" });
    expect(splitBucketPath("b")).toEqual({ bucket: "b", key: "" });
    expect(() => splitBucketPath("b/../x")).toThrow(PermissionBackendError);
  });

  test("a bucket is required, worded by provider", () => {
    expect(requireBucketPath("b", "s3")).toEqual({ bucket: "b", key: "" });
    expect(() => requireBucketPath("", "s3")).toThrow("s3: a bucket is required, e.g. s3:my-bucket");
    expect(() => requireBucketPath("", "azure", "container")).toThrow(
      "azure: a bucket (container) is required, e.g. azure:my-container",
    );
    expect(() => requireBucketPath("", "gcs")).toThrow(InvalidArgumentBackendError);
  });

  test("an object path needs a key", () => {
    expect(requireObjectPath("b/k", "gcs")).toEqual({ bucket: "b", key: "k" });
    expect(() => requireObjectPath("b", "gcs")).toThrow("gcs: b is a bucket, a file path is required");
    expect(() => requireObjectPath("c", "azure", "container")).toThrow(
      "azure: c is a container, a file path is required",
    );
  });
});
