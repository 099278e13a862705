import { describe, expect, test } from "bun:test";
import { ValidationError } from "../../errors.ts";
import {
  distinctBuckets,
  filterLocationsByDc,
  formatLocation,
  formatLocationWithoutDc,
  INVALID_LOCATION_MESSAGE,
  locationForDc,
  locationRemotePath,
  parseLocation,
} from "./location.ts";

describe("parseLocation", () => {
  test.each([
    ["s3:my-bucket", { dc: "", provider: "s3", bucket: "my-bucket" }],
    ["dc1:s3:my-bucket", { dc: "dc1", provider: "s3", bucket: "my-bucket" }],
    ["my_dc.eu-1:gcs:bucket.with.dots", { dc: "my_dc.eu-1", provider: "gcs", bucket: "bucket.with.dots" }],
    ["azure:container1", { dc: "", provider: "azure", bucket: "container1" }],
    ["localstorage:backups", { dc: "", provider: "localstorage", bucket: "backups" }],
  ])("%s", (text, expected) => {
    const location = parseLocation(text);
    expect(location).toEqual(expected as never);
    expect(formatLocation(location)).toBe(text);
  });

  test.each([
    "s3:My-Bucket",
    "s3:bucket/path",
    "bucket",
    "s3:",
    ":s3:bucket",
    "S3:bucket",
    "dc 1:s3:bucket",
    "s3:bucket_name",
  ])("malformed %s: SM's format message", (text) => {
    expect(() => parseLocation(text)).toThrow(ValidationError);
    expect(() => parseLocation(text)).toThrow(INVALID_LOCATION_MESSAGE);
  });

  test("unknown provider: SM's unrecognised provider message", () => {
    expect(() => parseLocation("dc1:ftp:bucket")).toThrow('unrecognised provider "ftp"');
  });
});

test("remote paths and formatting", () => {
  const location = parseLocation("dc1:s3:my-bucket");
  expect(formatLocationWithoutDc(location)).toBe("s3:my-bucket");
  expect(locationRemotePath(location)).toBe("s3:my-bucket");
  expect(locationRemotePath(location, "backup/meta/")).toBe("s3:my-bucket/backup/meta");
  expect(locationRemotePath(location, "/backup//./sst")).toBe("s3:my-bucket/backup/sst");
});

test("DC selection as SM: own DC first, else the DC-less entry", () => {
  const locations = ["dc1:s3:one", "s3:any", "dc2:gcs:two"].map(parseLocation);
  expect(locationForDc(locations, "dc1")?.bucket).toBe("one");
  expect(locationForDc(locations, "dc3")?.bucket).toBe("any");
  expect(locationForDc([parseLocation("dc1:s3:one")], "dc3")).toBeUndefined();
  expect(filterLocationsByDc(locations, ["dc2"]).map(formatLocation)).toEqual(["s3:any", "dc2:gcs:two"]);
  expect(distinctBuckets(["dc1:s3:a", "dc2:s3:a", "s3:b"].map(parseLocation)).map(formatLocation)).toEqual([
    "dc1:s3:a",
    "s3:b",
  ]);
});
