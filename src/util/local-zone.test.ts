import { expect, test } from "bun:test";
import { readlinkSync } from "node:fs";
import { localZoneName } from "./local-zone.ts";

test("TZ wins; otherwise the zone /etc/localtime links to, as SM names it (Etc/UTC, not Intl's UTC)", () => {
  expect(localZoneName({ TZ: "Europe/Warsaw" })).toBe("Europe/Warsaw");
  expect(localZoneName({ TZ: ":America/New_York" })).toBe("America/New_York");
  let linked: string | undefined;
  try {
    const target = readlinkSync("/etc/localtime");
    linked = target.includes("zoneinfo/") ? target.slice(target.indexOf("zoneinfo/") + 9) : undefined;
  } catch {
    linked = undefined;
  }
  expect(localZoneName({})).toBe(linked ?? (Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"));
});
