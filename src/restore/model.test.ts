import { describe, expect, test } from "bun:test";
import { parseRestoreProperties, rateLimitFor } from "./model.ts";

const TAG = "sm_20240101000000UTC";
const ok = { location: ["s3:b"], snapshot_tag: TAG, restore_tables: true };

describe("restore properties", () => {
  test("SM's defaults", () => {
    const t = parseRestoreProperties(ok);
    expect(t).toMatchObject({
      batchSize: 2,
      parallel: 0,
      transfers: 0,
      allowCompaction: false,
      unpinAgentCpu: false,
      continue: true,
      method: "rclone",
      keyspace: undefined,
      dcMapping: {},
    });
    expect(t.locations).toEqual([{ dc: "", provider: "s3", bucket: "b" }]);
  });

  test.each([
    [{ ...ok, location: [] }, "missing location"],
    [{ ...ok, snapshot_tag: "sm_2024" }, "not a Scylla Manager snapshot tag"],
    [{ ...ok, batch_size: -1 }, "batch size param has to be greater or equal to zero"],
    [{ ...ok, parallel: -1 }, "parallel param has to be greater or equal to zero"],
    [{ ...ok, transfers: -2 }, "transfers param has to be equal to -1"],
    [
      { ...ok, restore_schema: true },
      "choose EXACTLY ONE restore type ('--restore-schema' or '--restore-tables' flag)",
    ],
    [{ location: ["s3:b"], snapshot_tag: TAG }, "choose EXACTLY ONE restore type"],
    [
      { location: ["s3:b"], snapshot_tag: TAG, restore_schema: true, keyspace: ["ks"] },
      "restore schema always restores 'system_schema.*' tables only",
    ],
    [
      { location: ["s3:b"], snapshot_tag: TAG, restore_schema: true, method: "auto" },
      "restore schema does not support '--method' flag",
    ],
    [{ ...ok, location: ["s3:b", "dc1:s3:b"] }, "location dc1:s3:b is specified multiple times"],
    [{ ...ok, method: "fast" }, "unknown method: fast"],
    [{ ...ok, location: ["S3:B"] }, "invalid location"],
  ])("refuses %j", (props, message) => {
    expect(() => parseRestoreProperties(props)).toThrow(message);
  });

  test("rate limits: the host's DC first, then the DC-less entry, else unlimited", () => {
    const t = parseRestoreProperties({ ...ok, rate_limit: ["100", "dc2:50"] });
    expect(rateLimitFor(t.rateLimit, "dc2")).toBe(50);
    expect(rateLimitFor(t.rateLimit, "dc1")).toBe(100);
    expect(rateLimitFor([], "dc1")).toBe(0);
  });
});
