import { expect, test } from "bun:test";
import { compareTimeUuid, newTimeUuid, timeUuidFromTicks } from "../util/uuid.ts";
import { compareText, idFromSortKey, timeSortKey } from "./keys.ts";

test("timeSortKey text order is compareTimeUuid order", () => {
  const ids: string[] = [];
  for (let i = 0; i < 500; i++) {
    const ticks = 130_000_000_000_000_000n + BigInt(Math.floor(Math.random() * 2 ** 52));
    ids.push(timeUuidFromTicks(ticks, i, new Uint8Array([i & 0xff, 0, 0, 0, 0, 1])));
  }
  for (let i = 0; i < 20; i++) ids.push(newTimeUuid(1_700_000_000_000)); // same millisecond
  const byTime = [...ids].sort(compareTimeUuid);
  const byKey = [...ids].sort((a, b) => compareText(timeSortKey(a), timeSortKey(b)));
  expect(byKey).toEqual(byTime);
});

test("idFromSortKey inverts timeSortKey, also for non-UUID ids", () => {
  const id = newTimeUuid();
  expect(idFromSortKey(timeSortKey(id))).toBe(id);
  expect(idFromSortKey(timeSortKey("not:a-uuid"))).toBe("not:a-uuid");
  expect(compareText(timeSortKey("zzz"), timeSortKey(id))).toBe(1);
});
