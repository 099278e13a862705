import { expect, test } from "bun:test";
import { goTime, goTimeOrNull } from "./go-time.ts";

test("timestamps read as Go marshals them: no .000, trailing zeros of the fraction dropped", () => {
  expect(goTime("2026-12-03T11:45:00.000Z")).toBe("2026-12-03T11:45:00Z");
  expect(goTime("2026-12-03T11:41:36.840Z")).toBe("2026-12-03T11:41:36.84Z");
  expect(goTime("2026-12-03T11:41:36.615Z")).toBe("2026-12-03T11:41:36.615Z");
  expect(goTime("0001-01-01T00:00:00Z")).toBe("0001-01-01T00:00:00Z");
  expect(goTime(Date.UTC(2026, 11, 3, 11, 45))).toBe("2026-12-03T11:45:00Z");
  expect(goTimeOrNull(null)).toBeNull();
});
