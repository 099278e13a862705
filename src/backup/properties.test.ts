import { describe, expect, test } from "bun:test";
import { ValidationError } from "../errors.ts";
import { parseBackupProperties } from "./properties.ts";

const parse = (props: Record<string, unknown>) => () => parseBackupProperties({ location: ["gcs:bucket"], ...props });

describe("retention lock properties (SM's rules)", () => {
  test("unlocked and locked: gcs only, retention_days > 0, no count retention", () => {
    for (const mode of ["unlocked", "locked"]) {
      const ok = parseBackupProperties({
        location: ["gcs:b"],
        retention: 0,
        retention_days: 7,
        retention_lock_mode: mode,
      });
      expect(ok).toMatchObject({
        retentionLockMode: mode,
        overrideRetentionLock: false,
        retention: { retention: 0, retentionDays: 7 },
      });
      expect(
        parse({ retention_days: 7, retention_lock_mode: mode, override_retention_lock: true })().overrideRetentionLock,
      ).toBe(true);
      expect(() => parseBackupProperties({ location: ["s3:b"], retention_days: 7, retention_lock_mode: mode })).toThrow(
        `retention_lock_mode "${mode}" is supported only for gcs locations, not s3`,
      );
      expect(() =>
        parseBackupProperties({ location: ["gcs:b", "dc2:azure:c"], retention_days: 7, retention_lock_mode: mode }),
      ).toThrow("supported only for gcs locations, not azure");
      expect(parse({ retention_lock_mode: mode })).toThrow(`retention_lock_mode "${mode}" requires retention_days > 0`);
      expect(parse({ retention: 3, retention_days: 7, retention_lock_mode: mode })).toThrow(
        "can't be used with count retention (retention 3)",
      );
    }
  });

  test("override_retention_lock is invalid with disabled and event-based-hold", () => {
    expect(parse({ override_retention_lock: true })).toThrow(
      "override_retention_lock can't be used with retention_lock_mode disabled",
    );
    expect(
      parse({ retention_days: 7, retention_lock_mode: "event-based-hold", override_retention_lock: true }),
    ).toThrow("override_retention_lock can't be used with retention_lock_mode event-based-hold");
  });

  test("event-based-hold is refused as not supported yet, naming the alternative", () => {
    let error: unknown;
    try {
      parse({ retention_days: 7, retention_lock_mode: "event-based-hold" })();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toBe(
      'retention_lock_mode "event-based-hold" is not supported by this manager yet',
    );
    expect(JSON.stringify(error)).toContain(
      'use retention_lock_mode \\"unlocked\\" or \\"locked\\" with retention_days',
    );
  });

  test("unknown modes and the default", () => {
    expect(parse({ retention_lock_mode: "governance" })).toThrow('invalid retention_lock_mode "governance"');
    expect(parseBackupProperties({ location: ["s3:b"] }).retentionLockMode).toBe("disabled");
  });
});
