/**
 * Two servers on one CQL store on a real three-node Cassandra (RF 3, QUORUM), everything asked through the follower:
 * - kill -9 the leader mid-repair on an emulated Scylla cluster (agents on 127.6.4.x): the follower takes over within
 *   the lease, the run resumes (no range repaired twice beyond the dead leader's in-flight jobs, never two jobs on a
 *   node at once);
 * - kill -9 the leader during a long mock run: the dead leader's run becomes ABORTED and the task runs again, never
 *   two runs at once; then one Cassandra node of three stopped: everything goes on.
 *
 * Starts its own cluster on 127.6.2.1-3 (servers on 127.6.3.x), or, with SM_EXT_CASSANDRA3_STATE set to the state dir of
 * a running three-node cluster (`cassandra.sh start --nodes 3`), uses that one and restarts the node it killed.
 * Runs in the external tier only.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { makeCluster } from "../../src/manager/testing.ts";
import { type RepairStateRow, STATE_KIND } from "../../src/repair/model.ts";
import { type CqlStore, type CqlStoreOptions, openCqlStore } from "../../src/store/cql/store.ts";
import type { RunRecord } from "../../src/store/store.ts";
import { startRf2Cluster } from "../e2e/repair-helpers.ts";
import type { EmulatedCluster } from "../emulator/index.ts";
import { maxConcurrentRepairsPerHost, uncoveredRanges } from "../emulator/repair/ledger-checks.ts";
import { repairScheduler } from "../emulator/repair/scheduler.ts";
import { cqlSkipReason, uniqueKeyspace } from "../support/cql-store.ts";
import { attachCassandra, type CassandraCluster, startCassandra } from "./cassandra/launcher.ts";

const skip = cqlSkipReason ?? (process.env.SM_EXT_CQL_FAILOVER_SKIP || undefined);
if (skip) console.warn(`[external] skipping the CQL fail-over test: ${skip}`);

const SRC = resolve(import.meta.dir, "../../src");
const CID = "66666666-6666-4666-8666-666666666666";
const keyspace = uniqueKeyspace("failover");
const secretKey = randomBytes(32);
const LEASE_MS = 8_000;
let cassandra: CassandraCluster | undefined;
let emu: EmulatedCluster | undefined;
let store: CqlStore | undefined;
const dir = mkdtempSync(join(tmpdir(), "sm-cql-failover-"));
const servers: Server[] = [];
/** What the mock fail-over test leaves for the quorum-loss test: the leader and its long-running task. */
let survivor: { server: Server; longTaskId: string } | undefined;

interface Server {
  name: string;
  child: ChildProcess;
  api: string;
  metrics: string;
  exited: Promise<number | null>;
}

/** Tries `attempt` up to `times` times, printing each failure: a three-node start on a busy machine can fail once. */
async function withRetries<T>(what: string, times: number, attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      console.warn(`[external] ${what}: attempt ${i} of ${times} failed: ${(error as Error).message}`);
      if (i >= times) throw error;
      await Bun.sleep(2_000);
    }
  }
}

beforeAll(async () => {
  if (skip) return;
  const attach = process.env.SM_EXT_CASSANDRA3_STATE;
  cassandra = attach
    ? attachCassandra(attach)
    : await withRetries("starting three Cassandra nodes", 2, () =>
        startCassandra({ ips: ["127.6.2.1", "127.6.2.2", "127.6.2.3"] }),
      );
  store = await withRetries("opening the CQL store (RF 3)", 3, () => openCqlStore(storeOptions()));
  await store.putCluster(makeCluster(CID, "failover"));
}, 600_000);

afterAll(async () => {
  for (const s of servers) s.child.kill("SIGKILL");
  await Promise.all(servers.map((s) => s.exited));
  await emu?.close();
  await store?.close();
  await cassandra?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 300_000);

function storeOptions(): CqlStoreOptions {
  return {
    hosts: cassandra?.contactPoints ?? [],
    keyspace,
    replicationFactor: 3,
    timeoutMs: 10_000,
    migrateTimeoutMs: 60_000,
    secretKey,
  };
}

async function startServer(name: string, ip: string, ks = keyspace): Promise<Server> {
  const configFile = join(dir, `${name}.json`);
  const config = {
    http: `${ip}:0`,
    prometheus: `${ip}:0`,
    data_dir: join(dir, name),
    store: "cql",
    secret_key: secretKey.toString("hex"),
    leader_lease: `${LEASE_MS / 1000}s`,
    logger: { level: "error" },
    database: {
      hosts: cassandra?.contactPoints,
      keyspace: ks,
      replication_factor: 3,
      timeout: "5s",
      migrate_timeout: "60s",
    },
  };
  writeFileSync(configFile, JSON.stringify(config));
  const script = join(dir, `${name}.ts`);
  writeFileSync(
    script,
    `import { startDaemon } from ${JSON.stringify(join(SRC, "server/daemon.ts"))};
const daemon = await startDaemon([${JSON.stringify(configFile)}]);
process.stdout.write(JSON.stringify(daemon.urls) + "\\n");
process.on("SIGTERM", async () => { await daemon.close(); process.exit(0); });
`,
  );
  const child = spawn(process.execPath, [script], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, SCYLLA_MANAGER_TEST_RUNNERS: "1" },
  });
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += String(chunk);
  });
  const urls = await new Promise<{ http: string; prometheus: string }>((done, fail) => {
    let out = "";
    child.stdout?.on("data", (chunk) => {
      out += String(chunk);
      const line = out.split("\n")[0];
      if (out.includes("\n") && line) done(JSON.parse(line));
    });
    void exited.then((code) => fail(new Error(`server ${name} exited (${code}): ${stderr}`)));
  });
  const server = { name, child, api: `${urls.http}/api/v1`, exited, metrics: `${urls.prometheus}/metrics` };
  servers.push(server);
  return server;
}

async function api(server: Server, method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.api}${path}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms: number): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const isLeader = async (s: Server) => ((await api(s, "GET", "/leader")).json?.is_leader ? true : undefined);

/** Starts two servers on keyspace `ks`: the first leads, the second knows it (and its address). */
async function startPair(names: [string, string], ips: [string, string], ks: string): Promise<[Server, Server]> {
  const leader = await startServer(names[0], ips[0], ks);
  await waitFor(`server ${names[0]} to lead`, () => isLeader(leader), 60_000);
  const follower = await startServer(names[1], ips[1], ks);
  const info = await waitFor(
    `server ${names[1]} to see the leader`,
    async () => {
      const body = (await api(follower, "GET", "/leader")).json;
      // The leader takes the lease before its listeners are up; its address reaches the row at the next renewal.
      return body?.leader && body.leader_address ? body : undefined;
    },
    60_000,
  );
  expect(info.is_leader).toBe(false);
  expect(info.leader).toBe((await api(leader, "GET", "/leader")).json.self);
  return [leader, follower];
}

/** Creates a yearly mock task of `duration` through `server` and starts it; its API path and id. */
async function startMock(server: Server, name: string, duration: string): Promise<{ path: string; id: string }> {
  const created = await api(server, "POST", "/cluster/failover/tasks", {
    type: "mock",
    name,
    schedule: { cron: "@yearly" },
    properties: { duration },
  });
  expect(created.status).toBe(201);
  const path = (created.headers.get("Location") ?? "").replace("/api/v1", "");
  expect((await api(server, "PUT", `${path}/start`)).status).toBe(200);
  return { path, id: path.split("/").pop() ?? "" };
}

const rangeKey = (r: { start: string; end: string }) => `${r.start}:${r.end}`;

test.skipIf(Boolean(skip))(
  "kill -9 the leader mid-repair: the other server takes over within the lease and the run resumes",
  async () => {
    const TOKEN = "failover-repair";
    emu = await startRf2Cluster("127.6.4.", TOKEN);
    const cluster = emu;
    const ks = uniqueKeyspace("failover_repair");
    const [c, d] = await startPair(["c", "d"], ["127.6.3.3", "127.6.3.4"], ks);
    // Slow jobs, so the leader dies with the repair half done.
    const sched = repairScheduler(cluster.state);
    const bandwidth = sched.bandwidth;
    sched.bandwidth = bandwidth / 300;
    // Everything through the follower: the cluster and task land in the store, the leader picks them up.
    const added = await api(d, "POST", "/clusters", { host: "127.6.4.1", name: "emu", auth_token: TOKEN });
    expect(added.status).toBe(201);
    const created = await api(d, "POST", "/cluster/emu/tasks", {
      type: "repair",
      enabled: true,
      properties: { keyspace: ["rf2"], small_table_threshold: 0, parallel: 1 },
    });
    expect(created.status).toBe(201);
    const taskPath = (created.headers.get("Location") ?? "").replace("/api/v1", "");
    const successful = () => cluster.ledger.repairs().filter((e) => e.outcome === "successful");
    await waitFor("two repair jobs done", async () => (successful().length >= 2 ? true : undefined), 120_000);
    const firstRun = (await api(d, "GET", `${taskPath}/latest`)).json.run;
    expect(firstRun.status).toBe("RUNNING");

    c.child.kill("SIGKILL");
    await c.exited;
    const killedAt = Date.now();
    const jobsAtKill = cluster.ledger.repairs().length;
    // The dead leader's jobs in flight go on in Scylla and end by themselves (at full speed from here on).
    sched.bandwidth = bandwidth;
    await waitFor("server d to lead", () => isLeader(d), LEASE_MS * 3);
    const tookOverMs = Date.now() - killedAt;
    console.log(`[external] repair fail-over: server d led ${tookOverMs} ms after kill -9 (lease ${LEASE_MS} ms)`);
    expect(tookOverMs).toBeLessThan(LEASE_MS * 2 + 5_000);
    const history = await waitFor(
      "the resumed repair to finish",
      async () => {
        const runs = (await api(d, "GET", `${taskPath}/history`)).json;
        return runs?.length === 2 && runs[0].status === "DONE" ? runs : undefined;
      },
      180_000,
    );
    expect(history[1]).toMatchObject({ id: firstRun.id, status: "ABORTED" });
    // Resumed, not started over: no range the dead leader recorded as repaired is repaired again by the new
    // leader's jobs (jobs in flight at the kill, or ended with their result not yet in the store, may be).
    const clusterId = (added.headers.get("Location") ?? "").split("/").pop() ?? "";
    const reader = await openCqlStore({ ...storeOptions(), keyspace: ks });
    const states = await reader.listProgress(STATE_KIND, clusterId, taskPath.split("/").pop() ?? "", firstRun.id);
    await reader.close();
    const doneBefore = new Set(
      states.flatMap((row) => (row.value as RepairStateRow).success_ranges.map(([start, end]) => `${start}:${end}`)),
    );
    expect(doneBefore.size).toBeGreaterThan(0);
    const after = cluster.ledger
      .repairs()
      .slice(jobsAtKill)
      .filter((e) => e.outcome === "successful");
    // (None at all when the kill came late and only the dead leader's in-flight jobs were left: they ended in Scylla.)
    expect(after.flatMap((e) => e.ranges.map(rangeKey)).filter((k) => doneBefore.has(k))).toEqual([]);
    // Never two jobs at once on a node, across both leaders.
    const crowded = [...maxConcurrentRepairsPerHost(cluster.state)].filter(([, most]) => most > 1);
    expect(crowded).toEqual([]);
    expect(uncoveredRanges(cluster.state, "rf2", "a")).toEqual([]);
    expect((await api(d, "GET", `${taskPath}/latest`)).json.progress.success_percentage).toBe(100);
    d.child.kill("SIGKILL");
    await d.exited;
  },
  600_000,
);

test.skipIf(Boolean(skip))(
  "kill -9 the leader mid-run: the other server takes over within the lease and runs the task again",
  async () => {
    const [a, b] = await startPair(["a", "b"], ["127.6.3.1", "127.6.3.2"], keyspace);
    expect((await api(b, "GET", "/leader")).json.leader_address).toBe(a.api.replace("/api/v1", ""));

    // Written through the follower: the task lands in the store, the start request goes to the leader.
    const { path: taskPath, id: taskId } = await startMock(b, "long", "1h");
    const history = async () => (await store?.listRuns(CID, "mock", taskId, 0)) ?? [];
    const first = await waitFor(
      "the run on the leader",
      async () => (await history()).find((r) => r.status === "RUNNING"),
      30_000,
    );
    // The follower answers reads from the store.
    expect((await api(b, "GET", `${taskPath}/history`)).json[0]).toMatchObject({ id: first.id, status: "RUNNING" });

    const killedAt = Date.now();
    a.child.kill("SIGKILL");
    await a.exited;
    await waitFor("server b to lead", () => isLeader(b), LEASE_MS * 3);
    const tookOverMs = Date.now() - killedAt;
    const runs = await waitFor(
      "the resumed run",
      async () => {
        const list = await history();
        return list.length === 2 && list[0]?.status === "RUNNING" ? list : undefined;
      },
      30_000,
    );
    console.log(`[external] fail-over: server b led ${tookOverMs} ms after kill -9 (lease ${LEASE_MS} ms)`);
    expect(tookOverMs).toBeLessThan(LEASE_MS * 2 + 5_000);
    const [resumed, aborted] = runs as [RunRecord, RunRecord];
    expect(aborted).toMatchObject({ id: first.id, status: "ABORTED" });
    // Never two at once: the new run began after the old leader died.
    expect(Date.parse(resumed.startTime ?? "")).toBeGreaterThanOrEqual(killedAt - 1000);
    const metrics = await (await fetch(b.metrics)).text();
    expect(metrics).toMatch(/scylla_manager_server_leader\{server="[^"]+",leader="[^"]+"\} 1/);

    // One Cassandra node of three down: QUORUM of RF 3 still answers. The new leader goes on leading, the API takes
    // writes and answers reads, and a new task runs to DONE. (Until gossip convicts the dead node, its peers keep
    // sending to it: lightweight transactions and logged batches time out now and then; the store retries them, the
    // lease retries its renewal at once, and a start is never lost to a lost lease.)
    const down = cassandra?.contactPoints[2] ?? "";
    cassandra?.kill(down);
    const downAt = Date.now();
    const { path: quickPath, id: quickId } = await startMock(b, "quick", "1s");
    await waitFor(
      "the quick task to finish with a node down",
      async () => ((await api(b, "GET", `${quickPath}/history`)).json?.[0]?.status === "DONE" ? true : undefined),
      120_000,
    );
    console.log(`[external] node ${down} down: a new task ran to DONE ${Date.now() - downAt} ms after the kill`);
    // Exactly one run, DONE: the start was neither lost nor doubled.
    const quickRuns = (await store?.listRuns(CID, "mock", quickId, 0)) ?? [];
    expect(quickRuns.map((r) => r.status)).toEqual(["DONE"]);
    const listed = await api(b, "GET", "/cluster/failover/tasks?all=true");
    expect(listed.status).toBe(200);
    expect((listed.json as { id: string }[]).map((t) => t.id)).toContain(quickId);
    await waitFor("server b to lead with a node down", () => isLeader(b), LEASE_MS * 3);
    survivor = { server: b, longTaskId: taskId };
  },
  600_000,
);

test.skipIf(Boolean(skip))(
  "the store loses quorum mid-run: the leader stops its run, reads still answer, writes fail with a clear error",
  async () => {
    if (!survivor) throw new Error("needs the leader and long task the previous test left");
    const { server: b, longTaskId } = survivor;
    const indicator = async () => {
      const text = await (await fetch(b.metrics)).text();
      const line = text
        .split("\n")
        .find((l) => l.startsWith("scylla_manager_scheduler_run_indicator{") && l.includes(longTaskId));
      return line?.trim().split(" ").pop();
    };
    await waitFor("the long task running on b", async () => ((await indicator()) === "1" ? true : undefined), 60_000);

    // A second node of three down: no QUORUM any more.
    cassandra?.kill(cassandra.contactPoints[1] ?? "");
    const lostAt = Date.now();
    // It cannot renew its lease, so it stops leading (before the lease could end) and stops its run.
    await waitFor(
      "server b to stop leading",
      async () => ((await api(b, "GET", "/leader")).json?.is_leader === false ? true : undefined),
      LEASE_MS * 3,
    );
    console.log(`[external] quorum lost: server b stopped leading ${Date.now() - lostAt} ms later`);
    await waitFor("the long run to stop", async () => ((await indicator()) === "0" ? true : undefined), 120_000);
    // Reads it can: task listings come from the one live replica.
    const listed = await waitFor(
      "the task list without quorum",
      async () => {
        const r = await api(b, "GET", "/cluster/failover/tasks?all=true");
        return r.status === 200 ? r.json : undefined;
      },
      120_000,
    );
    expect((listed as { id: string }[]).map((t) => t.id)).toContain(longTaskId);
    // Writes need QUORUM: refused with the store named, no stack trace.
    const refused = await api(b, "POST", "/cluster/failover/tasks", {
      type: "mock",
      name: "no-quorum",
      schedule: { cron: "@yearly" },
      properties: { duration: "1s" },
    });
    expect(refused.status).toBe(500);
    expect(refused.json.message).toContain(`cql://`);
    expect(refused.json.message).not.toContain("    at ");
  },
  600_000,
);
