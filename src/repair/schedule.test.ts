/**
 * Property tests of the plan and the schedule over random rings and table sizes (modelled time): every range of
 * every table is repaired exactly once with its full replica set, no node is in two jobs at once, the parallel
 * cap holds at every instant, and our schedule is never longer than SM's table-by-table one.
 */
import { describe, expect, test } from "bun:test";
import { formatRanges } from "../clients/scylla/repair.ts";
import { planTables } from "./plan.ts";
import { parseRing } from "./ring.ts";
import {
  type Job,
  JobScheduler,
  MAX_RANGES_TEXT,
  MAX_TABLES_TEXT,
  rangeWidth,
  type ScheduleOptions,
  widthOf,
} from "./schedule.ts";
import { chooseStrategy, simulateSchedule } from "./simulate.ts";
import { randomPlan, randomRing, rng } from "./testdata/random-plan.ts";

const BANDWIDTH = 64 * 1024 * 1024;
const duration = (job: { kind: string; cost: number }) => (job.kind === "skip" ? 0 : job.cost / BANDWIDTH + 0.01);

function options(
  strategy: ScheduleOptions["strategy"],
  plan: ReturnType<typeof randomPlan>,
  parallel: number,
  batching: boolean,
): ScheduleOptions {
  return {
    strategy,
    intensity: 1,
    parallel,
    maxParallel: plan.maxParallel,
    maxHostIntensity: plan.maxHostIntensity,
    batching,
    hostRank: new Map(plan.hosts.map((h, i) => [h, i])),
  };
}

const TOPOLOGIES = [
  { dcs: [3], rf: [3], strategy: "nts" as const },
  { dcs: [5], rf: [2], strategy: "simple" as const },
  { dcs: [6, 6], rf: [3, 3], strategy: "nts" as const },
  { dcs: [4, 3], rf: [2, 1], strategy: "nts" as const },
  { dcs: [9], rf: [3], strategy: "simple" as const },
  { dcs: [2], rf: [1], strategy: "simple" as const },
];

describe("schedule properties (random rings, modelled time)", () => {
  for (let seed = 1; seed <= 60; seed++) {
    const random = rng(seed);
    const topo = { ...TOPOLOGIES[seed % TOPOLOGIES.length], tokensPerNode: 4 + Math.floor(random() * 8) } as never;
    const parallel = Math.floor(random() * 3);
    const batching = random() < 0.7;
    const threshold = random() < 0.5 ? 0 : 64 * 1024 * 1024;
    const plan = randomPlan(random, {
      topo,
      keyspaces: 3,
      tables: 3 + Math.floor(random() * 10),
      maxSize: 1024 ** 3,
      threshold,
      systemAuth: random() < 0.5,
    });
    test(`seed ${seed}: ${JSON.stringify(topo)} parallel=${parallel} batching=${batching} threshold=${threshold}`, () => {
      const tables = planTables(plan);
      const results = (["table-by-table", "precedence"] as const).map((strategy) => {
        const sim = simulateSchedule(tables, options(strategy, plan, parallel, batching), duration, plan.hosts);
        // Coverage: every range of every set exactly once, with the set's hosts.
        for (const t of tables) {
          const seen = new Map<string, number>();
          for (const e of sim.executed) {
            if (e.job.keyspace !== t.keyspace) continue;
            for (const p of e.job.tables.find((w) => w.table === t.table)?.parts ?? []) {
              const set = t.sets.find((s) => s.key === p.setKey);
              expect(p.hosts).toEqual(set?.hosts ?? []);
              for (const r of p.ranges) seen.set(`${r.start}:${r.end}`, (seen.get(`${r.start}:${r.end}`) ?? 0) + 1);
            }
          }
          const all = t.sets.flatMap((s) => s.ranges.map((r) => `${r.start}:${r.end}`));
          expect(all.every((k) => seen.get(k) === 1)).toBe(true);
          expect(seen.size).toBe(all.length);
        }
        // One job per node and the parallel cap, at every instant (jobs as intervals on their blocked hosts).
        const cap = parallel === 0 ? plan.maxParallel : parallel;
        const events = sim.executed.flatMap((e) => [
          { t: e.start, d: 1, e },
          { t: e.end, d: -1, e },
        ]);
        events.sort((a, b) => a.t - b.t || a.d - b.d);
        const busy = new Map<string, number>();
        let running = 0;
        for (const ev of events) {
          running += ev.d;
          expect(running).toBeLessThanOrEqual(cap);
          for (const h of ev.e.job.blocked) {
            busy.set(h, (busy.get(h) ?? 0) + ev.d);
            expect(busy.get(h) ?? 0).toBeLessThanOrEqual(1);
          }
          // Participants of a full-table job are all blocked too (precedence), so no node works in two jobs.
          if (strategy === "precedence") for (const h of ev.e.job.participants) expect(ev.e.job.blocked).toContain(h);
        }
        return { strategy, sim };
      });
      // What a `precedence` run executes: our packing, or SM's order when that is shorter on the model.
      const sm = results[0]?.sim.makespan ?? 0;
      const chosen = chooseStrategy(tables, options("precedence", plan, parallel, batching), duration, plan.hosts);
      const ours = simulateSchedule(tables, options(chosen.strategy, plan, parallel, batching), duration, plan.hosts);
      // Equal up to floating-point noise (a tie keeps ours).
      expect(ours.makespan).toBeLessThanOrEqual(sm * (1 + 1e-9));
    });
  }
});

describe("shared jobs (several tables of a keyspace in one job), with resume", () => {
  for (let seed = 101; seed <= 124; seed++) {
    const random = rng(seed);
    const topo = { ...TOPOLOGIES[seed % TOPOLOGIES.length], tokensPerNode: 3 + Math.floor(random() * 6) } as never;
    const batching = random() < 0.6;
    const threshold = random() < 0.5 ? 0 : 64 * 1024 * 1024;
    const plan = randomPlan(random, {
      topo,
      keyspaces: 2,
      tables: 4 + Math.floor(random() * 8),
      maxSize: 1024 ** 3,
      threshold,
    });
    test(`seed ${seed}: ${JSON.stringify(topo)} batching=${batching} threshold=${threshold}`, () => {
      const tables = planTables(plan);
      // Each table resumes with its own random subset of ranges already repaired.
      const done = new Map<string, Set<string>>();
      for (const t of tables) {
        const keys = t.sets.flatMap((s) => s.ranges.map((r) => `${r.start}:${r.end}`));
        done.set(`${t.keyspace}.${t.table}`, new Set(keys.filter(() => random() < 0.3)));
      }
      const opts = { ...options("precedence", plan, 0, batching), done };
      const sim = simulateSchedule(tables, opts, duration, plan.hosts);
      for (const e of sim.executed) {
        const names = e.job.tables.map((w) => w.table);
        expect(new Set(names).size).toBe(names.length);
        for (const w of e.job.tables) {
          expect(tables.some((t) => t.keyspace === e.job.keyspace && t.table === w.table)).toBe(true);
          // What a table records is exactly what Scylla repairs for it: the job's ranges with the job's hosts.
          if (e.job.kind === "normal") {
            expect(w.parts.length).toBe(1);
            expect(w.parts[0]?.ranges).toEqual(e.job.ranges);
            expect(w.parts[0]?.hosts).toEqual(e.job.hosts);
          }
        }
      }
      for (const t of tables) {
        const seen = new Map<string, number>();
        for (const e of sim.executed) {
          if (e.job.keyspace !== t.keyspace) continue;
          for (const p of e.job.tables.find((w) => w.table === t.table)?.parts ?? []) {
            expect(p.hosts).toEqual(t.sets.find((s) => s.key === p.setKey)?.hosts ?? []);
            for (const r of p.ranges) seen.set(`${r.start}:${r.end}`, (seen.get(`${r.start}:${r.end}`) ?? 0) + 1);
          }
        }
        const skip = done.get(`${t.keyspace}.${t.table}`) ?? new Set();
        const left = t.sets.flatMap((s) => s.ranges.map((r) => `${r.start}:${r.end}`)).filter((k) => !skip.has(k));
        expect(left.every((k) => seen.get(k) === 1)).toBe(true);
        expect(seen.size).toBe(left.length);
      }
    });
  }
});

describe("cost estimates follow the ring share of the ranges", () => {
  test("a ring's ranges (one wrapping round the end) share the whole ring", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const random = rng(seed);
      const ring = parseRing(
        "ks",
        randomRing({ dcs: [3, 2], rf: [2, 1], strategy: "nts", tokensPerNode: 1 + (seed % 7) }, random),
      );
      const ranges = ring.replicaSets.flatMap((s) => s.ranges);
      expect(ranges.some((r) => r.start > r.end)).toBe(true);
      expect(Math.abs(ranges.reduce((sum, r) => sum + rangeWidth(r), 0) - 1)).toBeLessThan(1e-9);
    }
    expect(rangeWidth({ start: 5n, end: 5n })).toBe(1);
  });

  for (let seed = 201; seed <= 230; seed++) {
    const random = rng(seed);
    const topo = { ...TOPOLOGIES[seed % TOPOLOGIES.length], tokensPerNode: 2 + Math.floor(random() * 10) } as never;
    const batching = random() < 0.5;
    const threshold = random() < 0.5 ? 0 : 64 * 1024 * 1024;
    const plan = randomPlan(random, {
      topo,
      keyspaces: 2,
      tables: 3 + Math.floor(random() * 8),
      maxSize: 1024 ** 3,
      threshold,
    });
    test(`seed ${seed}: the jobs' estimates add up to the tables' sizes, in proportion to ring share`, () => {
      const tables = planTables(plan);
      const size = tables.reduce((sum, t) => sum + t.size, 0);
      for (const strategy of ["table-by-table", "precedence"] as const) {
        const sim = simulateSchedule(tables, options(strategy, plan, 0, batching), duration, plan.hosts);
        // Each job's estimate is bytes per replica: over all jobs and their replicas, every table's size once.
        const total = sim.executed.reduce((sum, e) => sum + e.job.cost * e.job.participants.length, 0);
        expect(Math.abs(total - size)).toBeLessThanOrEqual(size * 1e-9 + 1e-6);
        if (strategy !== "table-by-table") continue;
        // One table per job: within a table, bytes per unit of ring share are the same for every ranges job.
        const perWidth = new Map<string, number>();
        for (const e of sim.executed) {
          if (e.job.kind !== "normal") continue;
          const key = `${e.job.keyspace}.${e.job.tables[0]?.table}`;
          const w = e.job.cost / widthOf(e.job.ranges);
          const seen = perWidth.get(key) ?? w;
          expect(Math.abs(w - seen)).toBeLessThanOrEqual(seen * 1e-9 + 1e-9);
          perWidth.set(key, seen);
        }
      }
    });
  }
});

describe("the schedule's incremental bookkeeping matches a recomputation", () => {
  for (let seed = 301; seed <= 330; seed++) {
    const random = rng(seed);
    const topo = { ...TOPOLOGIES[seed % TOPOLOGIES.length], tokensPerNode: 2 + Math.floor(random() * 8) } as never;
    const threshold = random() < 0.5 ? 0 : 64 * 1024 * 1024;
    const plan = randomPlan(random, {
      topo,
      keyspaces: 2,
      tables: 3 + Math.floor(random() * 8),
      maxSize: 1024 ** 3,
      threshold,
      systemAuth: random() < 0.5,
    });
    test(`seed ${seed}: jobs end in random order, with retries alone and dropped tables`, () => {
      const tables = planTables(plan);
      const done = new Map<string, Set<string>>();
      if (random() < 0.5) {
        for (const t of tables) {
          const keys = t.sets.flatMap((s) => s.ranges.map((r) => `${r.start}:${r.end}`));
          done.set(`${t.keyspace}.${t.table}`, new Set(keys.filter(() => random() < 0.3)));
        }
      }
      const scheduler = new JobScheduler(tables, { ...options("precedence", plan, 0, random() < 0.5), done });
      expect(scheduler.audit()).toEqual([]);
      const running: Job[] = [];
      let dropped = 0;
      for (let guard = 0; guard < 100_000; guard++) {
        running.push(...scheduler.next());
        expect(scheduler.audit()).toEqual([]);
        if (running.length === 0) break;
        const [job] = running.splice(Math.floor(random() * running.length), 1);
        if (job === undefined) break;
        scheduler.finish(job);
        const roll = random();
        if (roll < 0.1 && job.tables.length > 1)
          scheduler.retryAlone(
            job,
            job.tables.slice(1).map((w) => w.table),
          );
        else if (roll < 0.15 && dropped < 2) {
          dropped++;
          const t = tables[Math.floor(random() * tables.length)];
          if (t) scheduler.dropTable(t.keyspace, t.table);
        }
        expect(scheduler.audit()).toEqual([]);
        if (scheduler.done) break;
      }
      expect(scheduler.done).toBe(true);
    }, 60_000);
  }
});

describe("a repair_async request fits in an HTTP request line", () => {
  for (const [seed, tokensPerNode, count] of [
    [401, 300, 6],
    [402, 4, 450],
    [403, 40, 600],
  ] as const) {
    const random = rng(seed);
    const plan = randomPlan(random, {
      topo: { dcs: [3], rf: [3], strategy: "simple", tokensPerNode },
      keyspaces: 1,
      tables: count,
      maxSize: 1024 ** 3,
      threshold: seed === 403 ? 1024 ** 3 : 0,
    });
    test(`seed ${seed}: ${tokensPerNode} vnodes on 3 nodes RF 3, ${count} tables`, () => {
      const tables = planTables(plan);
      for (const strategy of ["table-by-table", "precedence"] as const) {
        const sim = simulateSchedule(tables, options(strategy, plan, 0, true), duration, plan.hosts);
        let split = false;
        for (const e of sim.executed) {
          const names = e.job.tables.map((w) => w.table).join(",");
          if (e.job.tables.length > 1) expect(names.length).toBeLessThanOrEqual(MAX_TABLES_TEXT);
          if (e.job.ranges.length > 1) expect(formatRanges(e.job.ranges).length).toBeLessThanOrEqual(MAX_RANGES_TEXT);
          if (e.job.kind === "normal" && e.job.ranges.length < (tables[0]?.rangeCount ?? 0)) split = true;
        }
        // Every range of every table once, all the same.
        for (const t of tables) {
          const seen = new Map<string, number>();
          for (const e of sim.executed) {
            for (const p of e.job.tables.find((w) => w.table === t.table)?.parts ?? []) {
              for (const r of p.ranges) seen.set(`${r.start}:${r.end}`, (seen.get(`${r.start}:${r.end}`) ?? 0) + 1);
            }
          }
          expect(seen.size).toBe(t.rangeCount);
          expect([...seen.values()].every((n) => n === 1)).toBe(true);
        }
        // 300 vnodes on 3 nodes: one replica set of 900 ranges, ~37 KB of text, goes in several jobs.
        if (seed === 401) expect(split).toBe(true);
      }
    }, 60_000);
  }
});
