/**
 * `operations/retention-lock`, `operations/event-based-hold` and the lock fields of `operations/list`, through the
 * agent's GCS backend (the real @google-cloud/storage client) against an in-process GCS JSON API that enforces
 * GCS's object-lock rules (test/support/fake-gcs-locks.ts: fake-gcs-server drops event-based holds and never
 * refuses a change or a delete, so it cannot show these).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { FakeGcsLocks } from "../../test/support/fake-gcs-locks.ts";
import { startTestAgent, type TestAgent } from "../testing/harness.ts";

let gcs: FakeGcsLocks;
let t: TestAgent;

beforeAll(async () => {
  gcs = new FakeGcsLocks("127.0.20.21");
  t = await startTestAgent("127.0.20.22", { gcs: { endpoint: gcs.endpoint } });
});
afterAll(async () => {
  await t.close();
  await gcs.close();
});

interface Progress {
  status: string;
  error: string;
  uploaded: number;
  failed: number;
}

async function runJob(call: string, body: Record<string, unknown>): Promise<Progress> {
  const res = await t.rc(call, { ...body, _async: true });
  expect(res.status).toBe(200);
  const { jobid } = (await res.json()) as { jobid: number };
  for (;;) {
    const progress = (await (await t.rc("job/progress", { jobid, wait: 5 })).json()) as Progress;
    if (progress.status !== "running") return progress;
  }
}

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

describe("operations/retention-lock on gcs", () => {
  test("locks every path below remote; progress counts objects; GCS then refuses the delete", async () => {
    for (const f of ["a.db", "b.db", "sub/c.db"]) gcs.put("lk1", `dir/${f}`, 100);
    gcs.put("lk1", "dir/untouched.db");
    const until = inDays(7);
    const progress = await runJob("operations/retention-lock", {
      fs: "gcs:lk1",
      remote: "dir",
      paths: ["a.db", "b.db", "sub/c.db"],
      retentionMode: "unlocked",
      retainUntil: until,
      overrideUnlocked: false,
    });
    expect(progress).toMatchObject({ status: "success", error: "", uploaded: 3, failed: 0 });
    for (const f of ["a.db", "b.db", "sub/c.db"]) {
      expect(gcs.object("lk1", `dir/${f}`)?.retention).toEqual({ mode: "Unlocked", retainUntilTime: until });
    }
    expect(gcs.object("lk1", "dir/untouched.db")?.retention).toBeUndefined();
    const del = await t.rc("operations/deletefile", { fs: "gcs:lk1", remote: "dir/a.db" });
    expect(del.status).toBe(403);
    expect(gcs.object("lk1", "dir/a.db")).toBeDefined();
  });

  test("shortening an unlocked retention needs overrideUnlocked; a locked one only extends", async () => {
    gcs.put("lk2", "f");
    const lock = (mode: string, retainUntil: string, overrideUnlocked = false) =>
      runJob("operations/retention-lock", {
        fs: "gcs:lk2",
        paths: ["f"],
        retentionMode: mode,
        retainUntil,
        overrideUnlocked,
      });
    expect((await lock("unlocked", inDays(10))).status).toBe("success");
    const refused = await lock("unlocked", inDays(5));
    expect(refused).toMatchObject({ status: "error", uploaded: 0, failed: 1 });
    expect(refused.error).toMatch(/1 of 1 objects failed.*overrideUnlockedRetention/);
    const shorter = inDays(5);
    expect((await lock("unlocked", shorter, true)).status).toBe("success");
    expect(gcs.object("lk2", "f")?.retention?.retainUntilTime).toBe(shorter);
    const locked = inDays(6);
    expect((await lock("locked", locked)).status).toBe("success");
    expect((await lock("unlocked", inDays(30), true)).status).toBe("error");
    expect((await lock("locked", inDays(1), true)).status).toBe("error");
    expect(gcs.object("lk2", "f")?.retention).toEqual({ mode: "Locked", retainUntilTime: locked });
  });

  test("a missing object fails the job, the others are still locked", async () => {
    gcs.put("lk3", "x");
    const progress = await runJob("operations/retention-lock", {
      fs: "gcs:lk3",
      paths: ["x", "missing"],
      retentionMode: "locked",
      retainUntil: inDays(1),
    });
    expect(progress).toMatchObject({ status: "error", uploaded: 1, failed: 1 });
    expect(progress.error).toMatch(/1 of 2 objects failed.*not found/);
    expect(gcs.object("lk3", "x")?.retention?.mode).toBe("Locked");
  });

  test("bad input is a 4xx answer, no job", async () => {
    gcs.put("lk4", "x");
    const call = (body: Record<string, unknown>) =>
      t.rc("operations/retention-lock", { fs: "gcs:lk4", _async: true, ...body });
    const tooMany = await call({
      paths: Array.from({ length: 10_001 }, (_, i) => `f${i}`),
      retentionMode: "locked",
      retainUntil: inDays(1),
    });
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { message: string }).message).toMatch(/too many paths: 10001, at most 10000/);
    const badMode = await call({ paths: ["x"], retentionMode: "governance", retainUntil: inDays(1) });
    expect(badMode.status).toBe(400);
    const badTime = await call({ paths: ["x"], retentionMode: "locked", retainUntil: "tomorrow" });
    expect(badTime.status).toBe(400);
    expect((await call({ paths: ["../x"], retentionMode: "locked", retainUntil: inDays(1) })).status).toBe(403);
    expect(gcs.object("lk4", "x")?.retention).toBeUndefined();
  });

  test("providers without object locks answer a clear 400", async () => {
    for (const call of ["operations/retention-lock", "operations/event-based-hold"]) {
      const res = await t.rc(call, {
        fs: "localstorage:bucket",
        paths: ["a"],
        retentionMode: "locked",
        retainUntil: inDays(1),
        eventBasedHold: true,
        _async: true,
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(
        /is not supported by provider "localstorage": only gcs has it/,
      );
    }
  });
});

describe("operations/event-based-hold on gcs", () => {
  test("sets and releases holds; a held object cannot be deleted", async () => {
    gcs.put("eh1", "m/a");
    gcs.put("eh1", "m/b");
    expect(
      await runJob("operations/event-based-hold", {
        fs: "gcs:eh1",
        remote: "m",
        paths: ["a", "b"],
        eventBasedHold: true,
      }),
    ).toMatchObject({
      status: "success",
      uploaded: 2,
    });
    expect(gcs.object("eh1", "m/a")?.eventBasedHold).toBe(true);
    expect((await t.rc("operations/deletefile", { fs: "gcs:eh1", remote: "m/a" })).status).toBe(403);
    expect(
      await runJob("operations/event-based-hold", { fs: "gcs:eh1", remote: "m", paths: ["a"], eventBasedHold: false }),
    ).toMatchObject({
      status: "success",
      uploaded: 1,
    });
    expect(gcs.object("eh1", "m/a")?.eventBasedHold).toBe(false);
    expect(gcs.object("eh1", "m/b")?.eventBasedHold).toBe(true);
    expect((await t.rc("operations/deletefile", { fs: "gcs:eh1", remote: "m/a" })).status).toBe(200);
    expect(gcs.object("eh1", "m/a")).toBeUndefined();
  });
});

describe("operations/list with showRetentionInfo and showEventBasedHold", () => {
  test("reports each file's retention and hold only when asked", async () => {
    gcs.put("ls1", "meta/plain");
    gcs.put("ls1", "meta/held");
    gcs.put("ls1", "meta/kept");
    const until = inDays(3);
    await runJob("operations/event-based-hold", { fs: "gcs:ls1", paths: ["meta/held"], eventBasedHold: true });
    await runJob("operations/retention-lock", {
      fs: "gcs:ls1",
      paths: ["meta/kept"],
      retentionMode: "locked",
      retainUntil: until,
    });
    const list = async (opt: Record<string, unknown>) =>
      (
        (await (
          await t.rc("operations/list", { fs: "gcs:ls1", remote: "meta", opt: { recurse: true, ...opt } })
        ).json()) as {
          list: Record<string, unknown>[];
        }
      ).list;
    const withLocks = await list({ showRetentionInfo: true, showEventBasedHold: true });
    const byName = new Map(withLocks.map((i) => [i.Name, i]));
    expect(byName.get("plain")).toMatchObject({ Path: "meta/plain", RetentionMode: "", eventBasedHold: false });
    expect(byName.get("plain")?.RetainUntil).toBeUndefined();
    expect(byName.get("held")).toMatchObject({ RetentionMode: "", eventBasedHold: true });
    expect(byName.get("kept")).toMatchObject({ RetentionMode: "locked", RetainUntil: until, eventBasedHold: false });
    const plain = await list({});
    expect(plain.length).toBe(3);
    for (const item of plain) {
      expect(item.RetentionMode).toBeUndefined();
      expect(item.eventBasedHold).toBeUndefined();
    }
  });
});

describe("operations/check-permissions with object-lock checks on gcs", () => {
  const objectsOf = (bucket: string) => [...(gcs.buckets.get(bucket) ?? new Map()).entries()];

  test("plain: the test file is written, read and deleted", async () => {
    gcs.createBucket("cp0");
    expect((await t.rc("operations/check-permissions", { fs: "gcs:cp0", remote: "check" })).status).toBe(200);
    expect(objectsOf("cp0")).toEqual([]);
    expect(gcs.calls.some((c) => c.bucket === "cp0" && c.method === "UPLOAD")).toBe(true);
  });

  test("retentionMode: the test file gets a short retention and is left behind (GCS refuses its delete)", async () => {
    gcs.createBucket("cp1");
    const res = await t.rc("operations/check-permissions", { fs: "gcs:cp1", remote: "check", retentionMode: "locked" });
    expect(res.status).toBe(200);
    const left = objectsOf("cp1");
    expect(left.length).toBe(1);
    expect(left[0]?.[0]).toMatch(/^check\/scylla-manager-agent-[0-9a-f]{16}\/test$/);
    expect(left[0]?.[1].retention?.mode).toBe("Locked");
    const until = Date.parse(left[0]?.[1].retention?.retainUntilTime ?? "");
    expect(until).toBeGreaterThan(Date.now());
    expect(until).toBeLessThan(Date.now() + 10 * 60_000);
  });

  test("unlocked with overrideUnlocked removes the retention again and deletes the file", async () => {
    gcs.createBucket("cp2");
    const res = await t.rc("operations/check-permissions", {
      fs: "gcs:cp2",
      remote: "check",
      retentionMode: "unlocked",
      overrideUnlocked: true,
    });
    expect(res.status).toBe(200);
    expect(objectsOf("cp2")).toEqual([]);
    expect(
      gcs.calls
        .filter((c) => c.bucket === "cp2" && c.method === "PATCH")
        .map((c) => c.query.get("overrideUnlockedRetention")),
    ).toEqual([null, "true"]);
  });

  test("eventBasedHold: set and released, then the file is deleted", async () => {
    gcs.createBucket("cp3");
    expect(
      (await t.rc("operations/check-permissions", { fs: "gcs:cp3", remote: "", eventBasedHold: true })).status,
    ).toBe(200);
    expect(objectsOf("cp3")).toEqual([]);
    expect(gcs.calls.filter((c) => c.bucket === "cp3" && c.method === "PATCH").length).toBe(2);
  });

  test("a bad retentionMode is a 400; other providers answer not supported", async () => {
    gcs.createBucket("cp4");
    const bad = await t.rc("operations/check-permissions", { fs: "gcs:cp4", remote: "", retentionMode: "governance" });
    expect(bad.status).toBe(400);
    const local = await t.rc("operations/check-permissions", {
      fs: "localstorage:bucket",
      remote: "",
      eventBasedHold: true,
    });
    expect(local.status).toBe(400);
    expect(((await local.json()) as { message: string }).message).toBe(
      'event-based hold is not supported by backend "localstorage"',
    );
  });
});
