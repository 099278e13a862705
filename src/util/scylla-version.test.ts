import { describe, expect, test } from "bun:test";
import { scyllaVersionAtLeast } from "./scylla-version.ts";

describe("scyllaVersionAtLeast (SM's CheckConstraint)", () => {
  test("compares the leading X.Y[.Z] only", () => {
    expect(scyllaVersionAtLeast("2025.4.0", "2025.4")).toBe(true);
    expect(scyllaVersionAtLeast("2025.4", "2025.4")).toBe(true);
    expect(scyllaVersionAtLeast("2025.4.1-0.20251201.abcdef", "2025.4")).toBe(true);
    expect(scyllaVersionAtLeast("2026.1.0", "2025.4")).toBe(true);
    expect(scyllaVersionAtLeast("2025.3.9", "2025.4")).toBe(false);
    expect(scyllaVersionAtLeast("2025.1.0", "2025.4")).toBe(false);
    expect(scyllaVersionAtLeast("6.2.3", "2025.4")).toBe(false);
  });

  test("a version without a leading X.Y is SM's error (master builds too, as SM's check sees them)", () => {
    expect(() => scyllaVersionAtLeast("666.development", "2025.4")).toThrow("Unsupported Scylla version");
    expect(() => scyllaVersionAtLeast("Snapshot", "2025.4")).toThrow("Unsupported Scylla version: Snapshot");
    expect(() => scyllaVersionAtLeast("", "2025.4")).toThrow("Unsupported Scylla version: ");
  });
});
