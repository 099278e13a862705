/**
 * The job generator (SM's `generator.go`), pure and event-driven: `next()` returns the jobs to start now (their
 * hosts blocked in the controller), `finish(job)` releases them. Two strategies share it:
 *
 * - `table-by-table` — SM's: tables strictly one after another; within a table the first replica set that fits
 *   (scanning from the start each time); a small or tablet table is repaired by its first job and its other replica
 *   sets go through the slots as "skip" jobs that only record progress.
 * - `precedence` (default) — ours, under the same safety rules (one job per node, the `parallel` cap, intensity
 *   caps): no table barrier, only the orderings that matter as precedence (the system keyspaces of SM's preference
 *   list first, in that order; a view after its base table); jobs chosen longest work first among those whose
 *   replicas are all free (so disjoint replica sets run together); a small or tablet table is one job that blocks
 *   every replica of the table and records all its ranges at once (no skip jobs).
 * @module
 */
import { formatRanges, type RepairRange } from "../clients/scylla/repair.ts";
import { JobController } from "./controller.ts";
import type { Strategy } from "./model.ts";
import { isSystemKeyspace, SYSTEM_PREFERENCE, type TablePlan } from "./plan.ts";

export type JobKind = "normal" | "small" | "tablet" | "skip";

/** Ranges of one replica set a job accounts for in progress. */
export interface JobPart {
  setKey: string;
  hosts: string[];
  ranges: readonly RepairRange[];
}

/** What a job records in progress for one of its tables. */
export interface TableWork {
  table: string;
  parts: JobPart[];
}

/** One repair job. */
export interface Job {
  id: number;
  keyspace: string;
  /**
   * The tables of the job (Scylla's `columnFamilies`), each with what it records in progress. Several tables of
   * one keyspace share a job when they need the same ranges with the same replicas (ours only; SM sends one).
   */
  tables: TableWork[];
  kind: JobKind;
  /** Coordinator. */
  master: string;
  /** Filtered replicas sent as `hosts` (normal jobs) — the set the job repairs. */
  hosts: string[];
  /** Hosts blocked in the controller while the job runs. */
  blocked: string[];
  /** Ranges sent to Scylla (normal jobs). */
  ranges: RepairRange[];
  intensity: number;
  /** Estimated bytes per replica (priority and modelled time). */
  cost: number;
  /** Nodes doing the work (small and tablet jobs: every replica of the table; skip jobs: none). */
  participants: string[];
}

/** Options of {@link JobScheduler}. */
export interface ScheduleOptions {
  strategy: Strategy;
  intensity: number;
  parallel: number;
  maxParallel: number;
  maxHostIntensity: ReadonlyMap<string, number>;
  /** Ranges batching (all ranges of a replica set, up to 1000, per job). */
  batching: boolean;
  /** Master rank: lower is preferred (fewest shards, then closest DC). */
  hostRank: ReadonlyMap<string, number>;
  /** Ranges already repaired per table (`ks.table` → set of `start:end`). */
  done?: ReadonlyMap<string, ReadonlySet<string>>;
  /**
   * Precedence only: repair the tables of a keyspace that need the same ranges with the same replicas in one job
   * (small tables of a keyspace in one small-table job). Default true; SM's table-by-table never does.
   */
  shareJobs?: boolean;
}

const MAX_BATCH = 1000;
/**
 * Longest `ranges` and `columnFamilies` texts of one `repair_async` request. Both travel in the URL, and an HTTP
 * server caps the request line and headers (Bun's at 16 KiB: 431 beyond), so a job carries fewer than 1000 ranges
 * when they would not fit (one replica set owning hundreds of vnode ranges: 3 nodes with RF 3, EverywhereStrategy)
 * and a shared job fewer tables. The first range and the first table always go.
 */
export const MAX_RANGES_TEXT = 10_000;
export const MAX_TABLES_TEXT = 2_000;
const rangeKey = (r: RepairRange) => `${r.start}:${r.end}`;
export const tableKey = (ks: string, table: string) => `${ks}.${table}`;

/** A replica set still to repair. */
interface SetState {
  table: TableState;
  key: string;
  hosts: string[];
  todo: readonly RepairRange[];
  /** Ring fraction of `todo` (kept in step with it by `setTodo`). */
  todoWidth: number;
  /** Estimated bytes per replica per unit of ring fraction (data is spread over tokens by the partitioner's hash). */
  perWidth: number;
  done: boolean;
  /** Precedence: the candidate group the set is in, and what it adds to the group's remaining work. */
  group?: Group;
  contrib?: number;
}

/** Candidates whose jobs block the same hosts, longest first; `rest` is their remaining estimated work. */
interface Group {
  items: SetState[];
  pos: number;
  rest: number;
}

interface TableState {
  plan: TablePlan;
  index: number;
  level: number;
  sets: SetState[];
  running: number;
  /** Full-table job already generated (small/tablet). */
  fullStarted: boolean;
  finished: boolean;
  /** Table dropped mid-repair: what is left is recorded as success. */
  dropped: boolean;
  /** Never shares a job again (a shared job failed and this table is retried alone). */
  alone: boolean;
}

/** SM precedence level: index in the preference list; everything else shares the last level. */
function levelOf(ks: string): number {
  const i = SYSTEM_PREFERENCE.indexOf(ks);
  return i >= 0 && isSystemKeyspace(ks) ? i : SYSTEM_PREFERENCE.length;
}

/** The generator. */
export class JobScheduler {
  readonly controller: JobController;
  readonly #opts: ScheduleOptions;
  readonly #tables: TableState[];
  readonly #byKey = new Map<string, TableState>();
  readonly #unfinishedPerLevel: number[];
  #current = 0;
  #nextId = 1;
  #stopped = false;
  /**
   * Precedence: candidates grouped by the hosts a job of theirs blocks (all tables of a vnode keyspace share their
   * replica sets), each group longest first. An event looks at one head per group, so its cost follows the number
   * of distinct replica sets, not the number of jobs.
   */
  #groups: Group[] = [];

  constructor(tables: readonly TablePlan[], options: ScheduleOptions) {
    this.#opts = options;
    this.controller = new JobController(options);
    this.#unfinishedPerLevel = new Array(SYSTEM_PREFERENCE.length + 1).fill(0);
    this.#tables = tables.map((plan, index) => {
      const done = options.done?.get(tableKey(plan.keyspace, plan.table));
      const weight = plan.sets.reduce((sum, s) => sum + widthOf(s.ranges) * s.hosts.length, 0);
      const perWidth = weight > 0 ? plan.size / weight : 0;
      const state: TableState = {
        plan,
        index,
        level: levelOf(plan.keyspace),
        sets: [],
        running: 0,
        fullStarted: false,
        finished: false,
        dropped: false,
        alone: false,
      };
      // A partially repaired tablet table starts again from scratch (SM).
      const allDone = done !== undefined && plan.sets.every((s) => s.ranges.every((r) => done.has(rangeKey(r))));
      const skipDone = done !== undefined && (!plan.tablet || allDone);
      for (const s of plan.sets) {
        // The plan's arrays are shared by the tables of a ring; todo lists are only ever replaced, never mutated.
        const todo = skipDone ? s.ranges.filter((r) => !done.has(rangeKey(r))) : s.ranges;
        const todoWidth = skipDone ? widthOf(todo) : widthOf(s.ranges);
        state.sets.push({
          table: state,
          key: s.key,
          hosts: s.hosts,
          todo,
          todoWidth,
          perWidth,
          done: todo.length === 0,
        });
      }
      if (state.sets.every((s) => s.done)) state.finished = true;
      else this.#unfinishedPerLevel[state.level] = (this.#unfinishedPerLevel[state.level] ?? 0) + 1;
      this.#byKey.set(tableKey(plan.keyspace, plan.table), state);
      if (plan.baseTable !== undefined) this.#bases.add(tableKey(plan.keyspace, plan.baseTable));
      return state;
    });
    if (options.strategy === "precedence") {
      const groups = new Map<string, SetState[]>();
      for (const t of this.#tables) {
        const full = t.plan.small || t.plan.tablet;
        for (const set of t.sets) {
          if (set.done) continue;
          const key = full ? `full:${t.plan.ringHosts.join(",")}` : set.hosts.join(",");
          const list = groups.get(key) ?? [];
          list.push(set);
          groups.set(key, list);
          // A small or tablet table is one job: one candidate stands for the table.
          if (full) break;
        }
      }
      this.#groups = [...groups.values()].map((items) => {
        const group: Group = { items: items.sort((a, b) => this.#setCost(b) - this.#setCost(a)), pos: 0, rest: 0 };
        for (const set of items) this.#moveTo(set, group);
        return group;
      });
      if (options.shareJobs !== false) {
        for (const t of this.#tables) {
          if (t.plan.tablet) continue;
          const sets = t.plan.small ? t.sets.slice(0, 1) : t.sets;
          for (const set of sets) {
            const key = t.plan.small
              ? `small:${t.plan.keyspace}:${t.plan.ringHosts.join(",")}`
              : `${t.plan.keyspace}:${set.key}:${set.hosts.join(",")}`;
            const list = this.#mates.get(key) ?? [];
            list.push(set);
            this.#mates.set(key, list);
            this.#mateKey.set(set, key);
          }
        }
      }
    }
  }

  /** Precedence: sets that may share a job (same keyspace, replica set and hosts; or small tables of a keyspace). */
  readonly #mates = new Map<string, SetState[]>();
  readonly #mateKey = new Map<SetState, string>();

  /** Sets that can join a job of `s` now (not `s`), each standing for its table when small. */
  #matesOf(s: SetState): SetState[] {
    const key = this.#mateKey.get(s);
    if (key === undefined || s.table.alone) return [];
    const out: SetState[] = [];
    for (const m of this.#mates.get(key) ?? []) {
      if (m === s || m.table.alone || m.table.dropped || !this.#eligible(m.table)) continue;
      if (m.table.plan.small ? m.table.fullStarted : m.done) continue;
      out.push(m);
    }
    return out;
  }

  /**
   * Estimated work of the job `s` would start now (with the sets that share it). Cached per group of mates: an
   * event looks at one head per replica set, and summing a keyspace's tables for each would dominate planning.
   */
  #jobCost(s: SetState): number {
    const key = this.#mateKey.get(s);
    if (key === undefined || s.table.alone) return this.#setCost(s);
    let cost = this.#mateCost.get(key);
    if (cost === undefined) {
      cost = this.#setCost(s);
      for (const m of this.#matesOf(s)) cost += this.#setCost(m);
      this.#mateCost.set(key, cost);
    }
    return cost;
  }

  /** Cached {@link #jobCost} per group of mates; a key is dropped when one of its sets changes. */
  readonly #mateCost = new Map<string, number>();
  /** Tables with views (their end changes which views are eligible). */
  readonly #bases = new Set<string>();

  /** A table's sets changed (todo, started, alone, dropped): its cached job costs and group shares are stale. */
  #touch(t: TableState): void {
    for (const s of t.sets) {
      const key = this.#mateKey.get(s);
      if (key !== undefined) this.#mateCost.delete(key);
      this.#recost(s);
    }
  }

  /** Work of `s` not yet started (0 once its job started, or its table was dropped). */
  #rest(s: SetState): number {
    const t = s.table;
    if (t.dropped) return 0;
    if (t.plan.small || t.plan.tablet) return t.fullStarted ? 0 : this.#setCost(s);
    return this.#setCost(s);
  }

  /** Brings the set's share of its group's remaining work up to date. */
  #recost(s: SetState): void {
    const g = s.group;
    if (g === undefined) return;
    const r = this.#rest(s);
    g.rest += r - (s.contrib ?? 0);
    s.contrib = r;
  }

  #moveTo(s: SetState, group: Group): void {
    if (s.group !== undefined) s.group.rest -= s.contrib ?? 0;
    s.group = group;
    s.contrib = 0;
    this.#recost(s);
  }

  #setTodo(s: SetState, todo: readonly RepairRange[]): void {
    s.todo = todo;
    s.todoWidth = widthOf(todo);
    const key = this.#mateKey.get(s);
    if (key !== undefined) this.#mateCost.delete(key);
    this.#recost(s);
  }

  /** A table's finished state changed by one: eligibility of others may change, so every cached cost goes. */
  #levelDelta(t: TableState, delta: 1 | -1): void {
    const before = this.#unfinishedPerLevel[t.level] ?? 0;
    const after = before + delta;
    this.#unfinishedPerLevel[t.level] = after;
    if ((before === 0) !== (after === 0) || this.#bases.has(tableKey(t.plan.keyspace, t.plan.table))) {
      this.#mateCost.clear();
    }
  }

  #setCost(s: SetState): number {
    const t = s.table;
    if (t.plan.small || t.plan.tablet) return t.plan.size / Math.max(1, t.plan.ringHosts.length);
    return s.todoWidth * s.perWidth;
  }

  /**
   * Checks the incremental bookkeeping against a recomputation (tests): every group's remaining work and every
   * cached job cost. Returns the mismatches.
   */
  audit(): string[] {
    const out: string[] = [];
    const near = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
    const sums = new Map<Group, number>();
    for (const t of this.#tables) {
      for (const s of t.sets) if (s.group !== undefined) sums.set(s.group, (sums.get(s.group) ?? 0) + this.#rest(s));
    }
    for (const [g, sum] of sums) if (!near(g.rest, sum)) out.push(`group rest ${g.rest} != ${sum}`);
    for (const [key, cached] of this.#mateCost) {
      const head = (this.#mates.get(key) ?? []).find(
        (m) =>
          !m.table.alone &&
          !m.table.dropped &&
          this.#eligible(m.table) &&
          !(m.table.plan.small ? m.table.fullStarted : m.done),
      );
      if (head === undefined) continue;
      let fresh = this.#setCost(head);
      for (const m of this.#matesOf(head)) fresh += this.#setCost(m);
      if (!near(cached, fresh)) out.push(`job cost of ${key}: cached ${cached} != ${fresh}`);
    }
    return out;
  }

  /** Stops generating (graceful stop, fail-fast); running jobs still finish. */
  stop(): void {
    this.#stopped = true;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Nothing runs and nothing is left to generate. */
  get done(): boolean {
    if (this.controller.busy) return false;
    if (this.#stopped) return true;
    return this.#tables.every((t) => t.finished);
  }

  /** Jobs to start now (greedily fills the free slots). */
  next(): Job[] {
    if (this.#stopped) return [];
    return this.#opts.strategy === "table-by-table" ? this.#nextTableByTable() : this.#nextPrecedence();
  }

  /** Releases a job's hosts; a table is finished when nothing of it runs or is left. */
  finish(job: Job): void {
    this.controller.unblock(job.blocked);
    for (const w of job.tables) {
      const t = this.#byKey.get(tableKey(job.keyspace, w.table));
      if (t === undefined) continue;
      t.running -= 1;
      this.#checkFinished(t);
    }
  }

  /**
   * A failed shared job whose failure may come from one of its tables (dropped mid-repair on a Scylla that fails
   * the whole job): these tables' ranges of the job go back to their todo lists, to be repaired again, each table
   * alone. Call after {@link finish}.
   */
  retryAlone(job: Job, tables: readonly string[]): void {
    for (const w of job.tables) {
      if (!tables.includes(w.table)) continue;
      const t = this.#byKey.get(tableKey(job.keyspace, w.table));
      if (t === undefined || t.dropped) continue;
      t.alone = true;
      this.#touch(t);
      if (t.finished) {
        t.finished = false;
        this.#levelDelta(t, 1);
      }
      if (job.kind === "small") {
        t.fullStarted = false;
        this.#touch(t);
      }
      const again: SetState[] = [];
      for (const p of w.parts) {
        const s = t.sets.find((x) => x.key === p.setKey);
        if (s === undefined || p.ranges.length === 0) continue;
        this.#setTodo(s, [...p.ranges, ...s.todo]);
        s.done = false;
        again.push(s);
      }
      if (this.#opts.strategy !== "precedence") continue;
      const full = t.plan.small || t.plan.tablet;
      for (const s of full ? again.slice(0, 1) : again) {
        const group: Group = { items: [s], pos: 0, rest: 0 };
        this.#moveTo(s, group);
        this.#groups.push(group);
      }
    }
  }

  /**
   * The table was dropped mid-repair: its remaining ranges are taken off the todo lists and returned, to be
   * recorded as success (SM turns its remaining jobs into skip jobs).
   */
  dropTable(keyspace: string, table: string): JobPart[] {
    const t = this.#byKey.get(tableKey(keyspace, table));
    if (t === undefined || t.dropped) return [];
    t.dropped = true;
    this.#touch(t);
    const parts: JobPart[] = [];
    for (const s of t.sets) {
      if (s.todo.length > 0) parts.push({ setKey: s.key, hosts: s.hosts, ranges: s.todo });
      this.#setTodo(s, []);
      s.done = true;
    }
    this.#checkFinished(t);
    return parts;
  }

  #checkFinished(t: TableState): void {
    if (t.finished || t.running > 0 || t.sets.some((s) => !s.done)) return;
    t.finished = true;
    this.#levelDelta(t, -1);
  }

  #master(hosts: readonly string[]): string {
    let best = hosts[0] ?? "";
    let bestRank = Number.POSITIVE_INFINITY;
    for (const h of hosts) {
      const r = this.#opts.hostRank.get(h) ?? Number.MAX_SAFE_INTEGER;
      if (r < bestRank) {
        best = h;
        bestRank = r;
      }
    }
    return best;
  }

  /** Takes the next ranges of a set for a normal job. */
  #takeRanges(s: SetState, intensity: number): RepairRange[] {
    const limit = Math.min(s.todo.length, this.#opts.batching ? MAX_BATCH : Math.max(1, intensity));
    let n = 0;
    let text = -1;
    while (n < limit) {
      text += rangeText(s.todo[n] as RepairRange) + 1;
      if (n > 0 && text > MAX_RANGES_TEXT) break;
      n++;
    }
    const taken = s.todo.slice(0, n);
    this.#setTodo(s, s.todo.slice(n));
    if (s.todo.length === 0) s.done = true;
    return taken;
  }

  #job(
    t: TableState,
    kind: JobKind,
    hosts: string[],
    blocked: string[],
    ranges: RepairRange[],
    intensity: number,
    tables: TableWork[],
    cost: number,
  ): Job {
    for (const w of tables) {
      const x = this.#byKey.get(tableKey(t.plan.keyspace, w.table));
      if (x !== undefined) x.running += 1;
    }
    return {
      id: this.#nextId++,
      keyspace: t.plan.keyspace,
      tables,
      kind,
      master: this.#master(hosts),
      hosts,
      blocked,
      ranges,
      intensity,
      cost,
      participants: kind === "skip" ? [] : kind === "normal" ? hosts : t.plan.ringHosts,
    };
  }

  // ----- SM: table by table, first fit -----

  #nextTableByTable(): Job[] {
    const out: Job[] = [];
    for (;;) {
      const t = this.#tables[this.#current];
      if (t === undefined) return out;
      if (t.finished) {
        this.#current += 1;
        continue;
      }
      let generated = false;
      for (const s of t.sets) {
        if (s.done) continue;
        const intensity = this.controller.tryBlock(s.hosts);
        if (intensity === undefined) continue;
        generated = true;
        const full = t.plan.tablet || t.plan.small;
        if (full) {
          const ranges = s.todo;
          this.#setTodo(s, []);
          s.done = true;
          const kind: JobKind = t.fullStarted ? "skip" : t.plan.tablet ? "tablet" : "small";
          t.fullStarted = true;
          const cost = kind === "skip" ? 0 : t.plan.size / Math.max(1, t.plan.ringHosts.length);
          const work = [{ table: t.plan.table, parts: [{ setKey: s.key, hosts: s.hosts, ranges }] }];
          out.push(this.#job(t, kind, s.hosts, s.hosts, [], intensity, work, cost));
        } else {
          const ranges = this.#takeRanges(s, intensity);
          const work = [{ table: t.plan.table, parts: [{ setKey: s.key, hosts: s.hosts, ranges }] }];
          out.push(this.#job(t, "normal", s.hosts, s.hosts, ranges, intensity, work, widthOf(ranges) * s.perWidth));
        }
      }
      // The barrier: the next table starts only when this one is finished.
      if (!generated || !t.finished) return out;
    }
  }

  // ----- ours: precedence, longest work first, disjoint replica sets -----

  #eligible(t: TableState): boolean {
    for (let l = 0; l < t.level; l++) if ((this.#unfinishedPerLevel[l] ?? 0) > 0) return false;
    const base = t.plan.baseTable;
    if (base !== undefined) {
      const b = this.#byKey.get(tableKey(t.plan.keyspace, base));
      if (b !== undefined && !b.finished) return false;
    }
    return true;
  }

  /** Bitmask of a set's hosts in 32-bit words (disjointness checks), per hosts list (shared by a ring's tables). */
  #mask(s: SetState): Uint32Array {
    let m = this.#masks.get(s.hosts);
    if (m === undefined) {
      for (const h of s.hosts) if (!this.#hostIndex.has(h)) this.#hostIndex.set(h, this.#hostIndex.size);
      m = new Uint32Array(Math.ceil(this.#hostIndex.size / 32));
      for (const h of s.hosts) {
        const i = this.#hostIndex.get(h) ?? 0;
        m[i >>> 5] = (m[i >>> 5] ?? 0) | (1 << (i & 31));
      }
      this.#masks.set(s.hosts, m);
    }
    return m;
  }

  readonly #masks = new WeakMap<readonly string[], Uint32Array>();
  readonly #hostIndex = new Map<string, number>();

  /** The longest eligible candidate of each group, longest first. */
  #heads(): SetState[] {
    const heads: SetState[] = [];
    const rest = new Map<SetState, number>();
    let drop = false;
    for (const g of this.#groups) {
      while (g.pos < g.items.length && (g.items[g.pos] as SetState).done) g.pos++;
      if (g.pos >= g.items.length) {
        drop = true;
        continue;
      }
      for (let i = g.pos; i < g.items.length; i++) {
        const s = g.items[i] as SetState;
        if (s.done) continue;
        const t = s.table;
        if ((t.plan.small || t.plan.tablet) && t.fullStarted) continue;
        if (!this.#eligible(t)) continue;
        heads.push(s);
        rest.set(s, g.rest);
        break;
      }
    }
    if (drop) this.#groups = this.#groups.filter((g) => g.pos < g.items.length);
    const cost = new Map(heads.map((h) => [h, this.#jobCost(h)]));
    this.#headCost = cost;
    // Most remaining work on the hosts first: a group's jobs run back to back while its hosts stay free, so
    // starting the groups with the most left keeps the runs long and ends them with the short ones; then the
    // longest job.
    return heads.sort((a, b) => (rest.get(b) ?? 0) - (rest.get(a) ?? 0) || (cost.get(b) ?? 0) - (cost.get(a) ?? 0));
  }

  /** Job costs of the current heads (set by {@link #heads}). */
  #headCost = new Map<SetState, number>();

  /**
   * With nothing running, the two jobs to start first: the disjoint pair whose shorter job is longest, so the
   * cluster starts with two long jobs side by side instead of one long job alone (longest-first alone would often
   * pick a set that no other set can run beside).
   */
  #bestPair(heads: readonly SetState[]): SetState[] {
    let best: SetState[] = [];
    let bestScore = 0;
    const limit = Math.min(heads.length, 64);
    for (let i = 0; i < limit; i++) {
      const a = heads[i] as SetState;
      if (a.table.plan.small || a.table.plan.tablet) continue;
      const ca = this.#headCost.get(a) ?? 0;
      if (ca <= bestScore) break;
      const ma = this.#mask(a);
      for (let j = i + 1; j < limit; j++) {
        const b = heads[j] as SetState;
        if (b.table.plan.small || b.table.plan.tablet) continue;
        const cb = this.#headCost.get(b) ?? 0;
        if (cb <= bestScore) break;
        if (disjoint(ma, this.#mask(b))) {
          best = [a, b];
          bestScore = Math.min(ca, cb);
          break;
        }
      }
    }
    return best;
  }

  #nextPrecedence(): Job[] {
    const out: Job[] = [];
    const ctl = this.controller;
    if (!ctl.hasSlot) return out;
    const heads = this.#heads();
    const order = !ctl.busy && ctl.cap >= 2 ? [...this.#bestPair(heads), ...heads] : heads;
    for (const s of order) {
      if (!ctl.hasSlot) break;
      if (s.done) continue;
      const t = s.table;
      if (!this.#eligible(t)) continue;
      if (t.plan.small || t.plan.tablet) {
        if (t.fullStarted) continue;
        const intensity = ctl.tryBlock(t.plan.ringHosts);
        if (intensity === undefined) continue;
        // Small tables of the keyspace share the small-table job; a tablet table is repaired alone.
        const tables = [t];
        let names = t.plan.table.length;
        for (const m of t.plan.small ? this.#matesOf(s) : []) {
          if (names + 1 + m.table.plan.table.length > MAX_TABLES_TEXT) continue;
          names += 1 + m.table.plan.table.length;
          tables.push(m.table);
        }
        const work: TableWork[] = [];
        let cost = 0;
        for (const x of tables) {
          x.fullStarted = true;
          this.#touch(x);
          cost += this.#setCost(x.sets[0] as SetState);
          const parts: JobPart[] = [];
          for (const y of x.sets) {
            if (y.todo.length > 0) parts.push({ setKey: y.key, hosts: y.hosts, ranges: y.todo });
            this.#setTodo(y, []);
            y.done = true;
          }
          work.push({ table: x.plan.table, parts });
        }
        const kind: JobKind = t.plan.tablet ? "tablet" : "small";
        const first = t.sets[0]?.hosts ?? t.plan.ringHosts;
        out.push(this.#job(t, kind, first, t.plan.ringHosts, [], intensity, work, cost));
        continue;
      }
      const intensity = ctl.tryBlock(s.hosts);
      if (intensity === undefined) continue;
      const mates = this.#matesOf(s);
      const ranges = this.#takeRanges(s, intensity);
      const work: TableWork[] = [{ table: t.plan.table, parts: [{ setKey: s.key, hosts: s.hosts, ranges }] }];
      const width = widthOf(ranges);
      let cost = width * s.perWidth;
      // Tables of the keyspace whose next ranges of this replica set are the same ranges share the job.
      let names = t.plan.table.length;
      for (const m of mates) {
        if (!startsWith(m.todo, ranges)) continue;
        if (names + 1 + m.table.plan.table.length > MAX_TABLES_TEXT) continue;
        names += 1 + m.table.plan.table.length;
        this.#setTodo(m, m.todo.slice(ranges.length));
        if (m.todo.length === 0) m.done = true;
        work.push({ table: m.table.plan.table, parts: [{ setKey: m.key, hosts: m.hosts, ranges }] });
        cost += width * m.perWidth;
      }
      out.push(this.#job(t, "normal", s.hosts, s.hosts, ranges, intensity, work, cost));
    }
    return out;
  }
}

/** Whether two host masks share no host (a shorter mask was made before later hosts were numbered). */
function disjoint(a: Uint32Array, b: Uint32Array): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (((a[i] ?? 0) & (b[i] ?? 0)) !== 0) return false;
  return true;
}

/** Whether `list` begins with exactly the ranges of `prefix`. */
function startsWith(list: readonly RepairRange[], prefix: readonly RepairRange[]): boolean {
  if (list.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) {
    const a = list[i] as RepairRange;
    const b = prefix[i] as RepairRange;
    if (a.start !== b.start || a.end !== b.end) return false;
  }
  return true;
}

const RING = 2 ** 64;
const widths = new WeakMap<RepairRange, number>();

/**
 * Share of the token ring a range (start, end] covers; a wrapping range (start >= end) goes round the end of the
 * ring. Partitioners hash keys uniformly over tokens, so a table's bytes in a range follow this share.
 */
export function rangeWidth(r: RepairRange): number {
  let w = widths.get(r);
  if (w === undefined) {
    const d = r.end - r.start;
    w = (d > 0n ? Number(d) : RING + Number(d)) / RING;
    widths.set(r, w);
  }
  return w;
}

const texts = new WeakMap<RepairRange, number>();

/** Length of a range in `repair_async`'s `ranges` (a wrapping range goes as two pieces, see `formatRanges`). */
export function rangeText(r: RepairRange): number {
  let n = texts.get(r);
  if (n === undefined) {
    n = formatRanges([r]).length;
    texts.set(r, n);
  }
  return n;
}

const listWidths = new WeakMap<readonly RepairRange[], number>();

/** Ring share of ranges (remembered per list: the tables of a ring share the plan's lists). */
export function widthOf(ranges: readonly RepairRange[]): number {
  let sum = listWidths.get(ranges);
  if (sum !== undefined) return sum;
  sum = 0;
  for (const r of ranges) sum += rangeWidth(r);
  listWidths.set(ranges, sum);
  return sum;
}
