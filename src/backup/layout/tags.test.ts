import { expect, test } from "bun:test";
import { ValidationError } from "../../errors.ts";
import {
  INVALID_SNAPSHOT_TAG_MESSAGE,
  isSnapshotTag,
  isVersionedName,
  SnapshotTagGenerator,
  snapshotTagAt,
  snapshotTagTime,
  splitNameAndVersion,
  versionedName,
  versionSuffix,
} from "./tags.ts";

test("tag of a time and back", () => {
  const at = new Date("2021-08-09T09:55:41.987Z");
  const tag = snapshotTagAt(at);
  expect(tag).toBe("sm_20210809095541UTC");
  expect(isSnapshotTag(tag)).toBe(true);
  expect(snapshotTagTime(tag).toISOString()).toBe("2021-08-09T09:55:41.000Z");
});

test.each([
  "sm_2021080909554UTC",
  "sm_20210809095541",
  "snap_20210809095541UTC",
  "sm_20211309095541UTC",
  "sm_20210230000000UTC",
])("invalid tag %s", (tag) => {
  expect(() => snapshotTagTime(tag)).toThrow(ValidationError);
  expect(() => snapshotTagTime(tag)).toThrow(INVALID_SNAPSHOT_TAG_MESSAGE);
});

test("lexicographic order is chronological", () => {
  const tags = ["2021-01-02T00:00:00Z", "2020-12-31T23:59:59Z", "2021-01-01T10:00:00Z"].map((t) =>
    snapshotTagAt(new Date(t)),
  );
  expect([...tags].sort()).toEqual([tags[1], tags[2], tags[0]] as string[]);
});

test("the generator never repeats a tag within a process: it waits for the next second", async () => {
  let now = Date.parse("2021-08-09T09:55:41.200Z");
  const slept: number[] = [];
  const generator = new SnapshotTagGenerator(
    () => new Date(now),
    async (ms) => {
      slept.push(ms);
      now += ms;
    },
  );
  const first = await generator.next();
  now += 300;
  const second = await generator.next();
  expect(first).toBe("sm_20210809095541UTC");
  expect(second).toBe("sm_20210809095542UTC");
  expect(slept.length).toBe(1);
});

test("versioned names", () => {
  const tag = "sm_20210809095542UTC";
  expect(versionedName("mc-5-big-Data.db", tag)).toBe("mc-5-big-Data.db.sm_20210809095542UTC");
  expect(versionSuffix(tag)).toBe(".sm_20210809095542UTC");
  expect(splitNameAndVersion("mc-5-big-Data.db.sm_20210809095542UTC")).toEqual({
    name: "mc-5-big-Data.db",
    version: tag,
  });
  expect(splitNameAndVersion("mc-5-big-Data.db")).toEqual({ name: "mc-5-big-Data.db", version: "" });
  expect(splitNameAndVersion("x.sm_2021UTC")).toEqual({ name: "x.sm_2021UTC", version: "" });
  expect(isVersionedName("a.sm_20210809095542UTC")).toBe(true);
  expect(isVersionedName("noext")).toBe(false);
});
