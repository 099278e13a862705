import { expect, test } from "bun:test";
import { createClock } from "./clock.ts";
import { Ledger, type RepairEntry } from "./ledger.ts";

const repair = (host: string, start: number, end: number | undefined, hosts: string[]): RepairEntry => ({
  kind: "repair",
  host,
  id: `${start}`,
  keyspace: "ks",
  tables: ["t"],
  ranges: [{ start: "-1", end: "1" }],
  hosts,
  start,
  ...(end === undefined ? {} : { end }),
  outcome: end === undefined ? "running" : "successful",
  params: {},
});

test("ledger: typed queries, concurrency per host, finish in place, listeners", () => {
  const ledger = new Ledger();
  const seen: string[] = [];
  ledger.onRecord((e) => seen.push(e.kind));
  ledger.record(repair("a", 0, 10, ["a", "b"]));
  ledger.record(repair("b", 5, 15, ["b", "c"]));
  const running = ledger.record(repair("c", 12, undefined, ["c", "a"]));
  ledger.record({ kind: "snapshot", host: "a", action: "take", tag: "sm_x", keyspace: "ks", tables: ["t"], at: 1 });
  expect(ledger.maxConcurrentRepairs()).toBe(2);
  expect(ledger.maxConcurrentRepairs("b")).toBe(2);
  expect(ledger.maxConcurrentRepairs("a")).toBe(1);
  ledger.finish(running, "failed", 20);
  expect(ledger.repairs("ks", "t").map((e) => e.outcome)).toEqual(["successful", "successful", "failed"]);
  expect(ledger.snapshots("sm_x").length).toBe(1);
  expect(ledger.snapshots("other")).toEqual([]);
  expect(seen).toEqual(["repair", "repair", "repair", "snapshot"]);
  expect(ledger.all().length).toBe(4);
});

test("clock: modelled sleeps are scaled and abortable", async () => {
  const clock = createClock(0.01);
  const t = Date.now();
  await clock.sleepModelled(10_000);
  expect(Date.now() - t).toBeLessThan(5_000);
  expect(Date.now() - t).toBeGreaterThanOrEqual(90);
  const controller = new AbortController();
  const pending = clock.sleepModelled(60_000, controller.signal);
  controller.abort(new Error("stopped"));
  await expect(pending).rejects.toThrow("stopped");
  expect(() => createClock(-1)).toThrow(/time scale/);
});
