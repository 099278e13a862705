/**
 * Apache Cassandra for the external test tier: one node or a cluster on loopback IPs, started from the server jars
 * Maven resolves (cached outside the repo, like the other external servers), each node in a temp dir that `stop()`
 * removes.
 *
 * - Install: `mvn dependency:copy-dependencies` on `pom.xml` beside this file, once, into
 *   `$SM_TS_CACHE/cassandra-<version>/lib` (default cache `~/.cache/scylla-manager-ts`), under a file lock
 *   (a lock file in the cache) so parallel runs install once.
 * - Start: a generated `cassandra.yaml` per node (paths under the node's temp dir, listen/rpc on the node's IP,
 *   storage port 7000, CQL port 9042 on every IP), the Java 17 `--add-exports/--add-opens` and GC flags of
 *   Cassandra's `conf/jvm17-server.options`, and `-Dcassandra.ring_delay_ms=1000
 *   -Dcassandra.skip_wait_for_gossip_to_settle=0` so a fresh node starts in seconds. Nodes start one after another
 *   (the first is the seed); each is ready when its CQL port accepts connections.
 * - Stop: SIGTERM (Cassandra's shutdown hook drains), SIGKILL after a grace period, then the temp dirs are removed.
 *
 * Runtime: Bun or Node (node:child_process only). The java processes are detached so the shell entry (`cli.ts`) can
 * return while the cluster keeps running; `stopCassandraState(dir)` stops a cluster from its state dir.
 * @module
 */
import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { connect } from "node:net";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** The Cassandra release the pom resolves (keep in sync with `pom.xml`). */
export const CASSANDRA_VERSION = "5.0.6";
export const CQL_PORT = 9042;
/** SimpleSnitch puts every node in this DC and rack. */
export const CASSANDRA_DC = "datacenter1";

const HERE = dirname(new URL(import.meta.url).pathname);

export interface StartCassandraOptions {
  /** Node IPs (loopback); the first is the seed. Default ["127.6.1.1"]. */
  ips?: string[];
  /** Enable PasswordAuthenticator (superuser cassandra/cassandra; start waits until it can log in). Default false. */
  auth?: boolean;
  /** Max heap per node. Default "512M". */
  heap?: string;
  /** Give up on a node that has not opened CQL after this long. Default 120 s. */
  startTimeoutMs?: number;
  /** Cluster name. Default "sm-ts-test". */
  clusterName?: string;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

export interface CassandraNode {
  ip: string;
  dir: string;
  pid: number;
}

export interface CassandraCluster {
  /** "ip" strings for cassandra-driver's contactPoints (all nodes use port 9042). */
  contactPoints: string[];
  port: number;
  localDataCenter: string;
  /** The state dir (holds every node's dir and `cluster.json`). */
  stateDir: string;
  nodes: CassandraNode[];
  /** kill -9 one node (its dir stays until stop). */
  kill(ip: string): void;
  /** Restart a stopped or killed node with its data. */
  restart(ip: string): Promise<void>;
  /** Stops every node and removes the state dir. */
  stop(): Promise<void>;
}

/** Why Cassandra cannot run here, or undefined when it can (java 11/17 and mvn or a cached install). */
export function cassandraUnavailableReason(): string | undefined {
  const java = javaBinary();
  const v = spawnSync(java, ["-version"], { encoding: "utf8" });
  if (v.error || v.status !== 0) return `${java} is not runnable (${v.error?.message ?? v.stderr})`;
  const match = /version "(\d+)/.exec(v.stderr);
  if (!match || !["11", "17"].includes(match[1] ?? "")) {
    return `Cassandra ${CASSANDRA_VERSION} needs Java 11 or 17; ${java} is ${match?.[1] ?? "unknown"} (set CASSANDRA_JAVA)`;
  }
  if (!isInstalled()) {
    const mvn = spawnSync("mvn", ["-v"], { encoding: "utf8" });
    if (mvn.error || mvn.status !== 0) return "mvn is not installed and Cassandra's jars are not cached";
  }
  return undefined;
}

function javaBinary(): string {
  if (process.env.CASSANDRA_JAVA) return process.env.CASSANDRA_JAVA;
  const jdk17 = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java";
  return existsSync(jdk17) ? jdk17 : "java";
}

function cacheDir(): string {
  return join(
    process.env.SM_TS_CACHE ?? join(homedir(), ".cache", "scylla-manager-ts"),
    `cassandra-${CASSANDRA_VERSION}`,
  );
}

function isInstalled(): boolean {
  return existsSync(join(cacheDir(), "lib", ".complete"));
}

/**
 * Resolves Cassandra's jars into the cache once (about 66 MB). Returns the lib dir.
 * @throws Error with Maven's last lines when resolution fails.
 */
export function installCassandra(log: (line: string) => void = defaultLog): string {
  const cache = cacheDir();
  const lib = join(cache, "lib");
  if (isInstalled()) return lib;
  mkdirSync(cache, { recursive: true });
  const lock = join(cache, "install.lock");
  const started = Date.now();
  log(`installing Cassandra ${CASSANDRA_VERSION} jars with Maven into ${lib} (first run only)`);
  // The lock serialises heavy builds; the check inside makes a second waiter reuse the first one's install.
  const script = [
    "set -e",
    `if test -f '${lib}/.complete'; then exit 0; fi`,
    `rm -rf '${lib}'`,
    `mvn -q -B -f '${join(HERE, "pom.xml")}' -Dmaven.repo.local='${join(cache, "m2")}' dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory='${lib}'`,
    `touch '${lib}/.complete'`,
  ].join("\n");
  const r = spawnSync("flock", [lock, "bash", "-c", script], { encoding: "utf8", timeout: 600_000 });
  if (r.status !== 0 || !isInstalled()) {
    const out = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n").slice(-8).join("\n");
    throw new Error(`installing Cassandra ${CASSANDRA_VERSION} with Maven failed (exit ${r.status}): ${out}`);
  }
  log(`Cassandra jars ready in ${Math.round((Date.now() - started) / 1000)}s`);
  return lib;
}

/** The JVM flags of Cassandra's conf/jvm17-server.options (GC, JPMS, Netty) plus the fast-start test flags. */
function jvmFlags(heap: string): string[] {
  const exports = [
    "java.base/jdk.internal.misc",
    "java.management.rmi/com.sun.jmx.remote.internal.rmi",
    "java.rmi/sun.rmi.registry",
    "java.rmi/sun.rmi.server",
    "java.sql/java.sql",
    "java.base/java.lang.ref",
    "jdk.unsupported/sun.misc",
    "jdk.compiler/com.sun.tools.javac.file",
    "jdk.attach/sun.tools.attach",
  ];
  const opens = [
    "java.base/java.lang.module",
    "java.base/jdk.internal.loader",
    "java.base/jdk.internal.ref",
    "java.base/jdk.internal.reflect",
    "java.base/jdk.internal.math",
    "java.base/jdk.internal.module",
    "java.base/jdk.internal.util.jar",
    "jdk.management/com.sun.management.internal",
    "java.base/sun.nio.ch",
    "java.base/java.io",
    "java.base/java.lang.reflect",
    "jdk.compiler/com.sun.tools.javac",
    "java.base/java.lang",
    "java.base/java.util",
  ];
  return [
    `-Xms${heap}`,
    `-Xmx${heap}`,
    "-Xss256k",
    "-XX:+UseG1GC",
    "-XX:+ParallelRefProcEnabled",
    "-XX:MaxTenuringThreshold=1",
    "-XX:G1HeapRegionSize=16m",
    "-XX:G1RSetUpdatingPauseTimePercent=5",
    "-XX:MaxGCPauseMillis=300",
    "-XX:InitiatingHeapOccupancyPercent=70",
    "-XX:+HeapDumpOnOutOfMemoryError",
    "-Djava.net.preferIPv4Stack=true",
    "-Djdk.attach.allowAttachSelf=true",
    ...exports.flatMap((e) => ["--add-exports", `${e}=ALL-UNNAMED`]),
    ...opens.flatMap((o) => ["--add-opens", `${o}=ALL-UNNAMED`]),
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dio.netty.allocator.useCacheForAllThreads=true",
    "-Dio.netty.allocator.maxOrder=11",
    // Test-only fast start: a fresh node does not wait 30 s for the ring and gossip to settle.
    "-Dcassandra.ring_delay_ms=1000",
    "-Dcassandra.skip_wait_for_gossip_to_settle=0",
    "-Dcassandra.superuser_setup_delay_ms=0",
    "-Dcassandra-foreground=yes",
  ];
}

function cassandraYaml(o: { clusterName: string; ip: string; seed: string; dir: string; auth: boolean }): string {
  const d = (name: string) => JSON.stringify(join(o.dir, name));
  return `# Generated by test/external/cassandra/launcher.ts for one test node.
cluster_name: ${JSON.stringify(o.clusterName)}
num_tokens: 16
allocate_tokens_for_local_replication_factor: 3
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
endpoint_snitch: SimpleSnitch
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "${o.seed}:7000"
listen_address: ${o.ip}
rpc_address: ${o.ip}
storage_port: 7000
native_transport_port: ${CQL_PORT}
start_native_transport: true
data_file_directories: [${d("data")}]
commitlog_directory: ${d("commitlog")}
saved_caches_directory: ${d("saved_caches")}
hints_directory: ${d("hints")}
cdc_raw_directory: ${d("cdc_raw")}
commitlog_sync: periodic
commitlog_sync_period: 10000ms
authenticator: ${o.auth ? "PasswordAuthenticator" : "AllowAllAuthenticator"}
authorizer: ${o.auth ? "CassandraAuthorizer" : "AllowAllAuthorizer"}
role_manager: CassandraRoleManager
concurrent_reads: 8
concurrent_writes: 8
concurrent_counter_writes: 8
memtable_heap_space: 64MiB
memtable_offheap_space: 64MiB
key_cache_size: 8MiB
counter_cache_size: 0MiB
materialized_views_enabled: false
sasi_indexes_enabled: false
`;
}

const LOGBACK = `<configuration>
  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
    <file>\${cassandra.logdir}/system.log</file>
    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="FILE" /></root>
</configuration>
`;

function defaultLog(line: string): void {
  process.stderr.write(`[cassandra] ${line}\n`);
}

/** True when something accepts TCP connections at ip:port. */
export function portOpen(ip: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: ip, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once("connect", () => done(true));
    s.once("error", () => done(false));
  });
}

/** kill -9 the node on `ip` if it runs. */
function killNode(nodes: CassandraNode[], ip: string): void {
  const node = nodes.find((n) => n.ip === ip);
  if (node && alive(node.pid)) process.kill(node.pid, "SIGKILL");
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface NodeSpec {
  ip: string;
  dir: string;
  classpath: string;
  heap: string;
}

function launchNode(spec: NodeSpec): number {
  const out = openSync(join(spec.dir, "stdout.log"), "a");
  const args = [
    ...jvmFlags(spec.heap),
    `-Dcassandra.config=file://${join(spec.dir, "cassandra.yaml")}`,
    `-Dcassandra.logdir=${spec.dir}`,
    `-Dcassandra.storagedir=${spec.dir}`,
    `-Dlogback.configurationFile=file://${join(spec.dir, "logback.xml")}`,
    "-cp",
    spec.classpath,
    "org.apache.cassandra.service.CassandraDaemon",
  ];
  const child = spawn(javaBinary(), args, { detached: true, stdio: ["ignore", out, out], cwd: spec.dir });
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start java for Cassandra node ${spec.ip}`);
  writeFileSync(join(spec.dir, "pid"), String(child.pid));
  return child.pid;
}

async function waitForCql(ip: string, pid: number, dir: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive(pid)) {
      throw new Error(
        `Cassandra node ${ip} exited during start-up:\n${tail(join(dir, "system.log"), 15)}${tail(join(dir, "stdout.log"), 10)}`,
      );
    }
    if (await portOpen(ip, CQL_PORT, 500)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `Cassandra node ${ip} did not open CQL within ${timeoutMs} ms:\n${tail(join(dir, "system.log"), 15)}`,
  );
}

/** With PasswordAuthenticator the default superuser appears shortly after CQL opens: wait until it can log in. */
async function waitForLogin(ips: string[], timeoutMs: number): Promise<void> {
  const { default: cassandra } = await import("cassandra-driver");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new cassandra.Client({
      contactPoints: ips,
      localDataCenter: CASSANDRA_DC,
      credentials: { username: "cassandra", password: "cassandra" },
    });
    try {
      await client.connect();
      await client.execute("SELECT release_version FROM system.local");
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`Cassandra's superuser cannot log in: ${(error as Error).message}`);
    } finally {
      await client.shutdown().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * A node that serves CQL may not yet see its peers (ring_delay is cut to 1 s for tests), and a keyspace with RF 3
 * made then fails its first QUORUM writes. Waits until every node lists the others as peers, the driver sees them
 * all up, and every node reports the same schema version.
 */
async function waitForRing(ips: string[], auth: boolean, timeoutMs: number): Promise<void> {
  const { default: cassandra } = await import("cassandra-driver");
  const deadline = Date.now() + timeoutMs;
  let last = "not checked yet";
  while (Date.now() < deadline) {
    const client = new cassandra.Client({
      contactPoints: ips,
      localDataCenter: CASSANDRA_DC,
      ...(auth ? { credentials: { username: "cassandra", password: "cassandra" } } : {}),
    });
    try {
      await client.connect();
      const versions = new Set<string>();
      const problems: string[] = [];
      for (const ip of ips) {
        const host = client.hosts.get(`${ip}:${CQL_PORT}`);
        if (!host?.isUp()) {
          problems.push(`${ip} is not up for the driver`);
          continue;
        }
        const local = await client.execute("SELECT schema_version FROM system.local", [], { host });
        const peers = await client.execute("SELECT peer, schema_version FROM system.peers", [], { host });
        versions.add(String(local.first()?.get("schema_version")));
        for (const row of peers.rows) versions.add(String(row.get("schema_version")));
        if (peers.rowLength !== ips.length - 1)
          problems.push(`${ip} sees ${peers.rowLength} of ${ips.length - 1} peers`);
      }
      if (versions.size > 1) problems.push(`schema versions disagree (${[...versions].join(", ")})`);
      if (problems.length === 0) return;
      last = problems.join("; ");
    } catch (error) {
      last = (error as Error).message;
    } finally {
      await client.shutdown().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`the Cassandra ring on ${ips.join(", ")} did not settle within ${timeoutMs} ms: ${last}`);
}

function tail(file: string, lines: number): string {
  try {
    return `${readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n")}\n`;
  } catch {
    return "";
  }
}

/**
 * Installs (cached) and starts a Cassandra cluster on the given loopback IPs; resolves when every node serves CQL.
 * @throws Error when java/mvn is missing, an IP's CQL port is taken, or a node fails to start (its log's tail).
 */
export async function startCassandra(options: StartCassandraOptions = {}): Promise<CassandraCluster> {
  const log = options.log ?? defaultLog;
  const ips = options.ips ?? ["127.6.1.1"];
  const reason = cassandraUnavailableReason();
  if (reason) throw new Error(reason);
  for (const ip of ips) {
    if (await portOpen(ip, CQL_PORT, 300)) throw new Error(`${ip}:${CQL_PORT} is already in use (another Cassandra?)`);
    if (await portOpen(ip, 7000, 300)) throw new Error(`${ip}:7000 is already in use (another Cassandra?)`);
  }
  const lib = installCassandra(log);
  const classpath = readdirSync(lib)
    .filter((f) => f.endsWith(".jar"))
    .map((f) => join(lib, f))
    .join(":");
  const stateDir = mkdtempSync(join(tmpdir(), "sm-cassandra-"));
  const heap = options.heap ?? "512M";
  const nodes: CassandraNode[] = [];
  const specs = new Map<string, NodeSpec>();
  const cluster: CassandraCluster = {
    contactPoints: [...ips],
    port: CQL_PORT,
    localDataCenter: CASSANDRA_DC,
    stateDir,
    nodes,
    kill: (ip) => killNode(nodes, ip),
    async restart(ip) {
      const node = nodes.find((n) => n.ip === ip);
      const spec = specs.get(ip);
      if (!node || !spec) throw new Error(`no Cassandra node ${ip}`);
      if (alive(node.pid)) throw new Error(`Cassandra node ${ip} is still running`);
      node.pid = launchNode(spec);
      await waitForCql(ip, node.pid, node.dir, options.startTimeoutMs ?? 120_000);
    },
    stop: () => stopCassandraState(stateDir),
  };
  try {
    for (const [i, ip] of ips.entries()) {
      const dir = join(stateDir, `node${i + 1}`);
      mkdirSync(dir, { recursive: true });
      const seed = ips[0] ?? ip;
      writeFileSync(
        join(dir, "cassandra.yaml"),
        cassandraYaml({ clusterName: options.clusterName ?? "sm-ts-test", ip, seed, dir, auth: options.auth ?? false }),
      );
      writeFileSync(join(dir, "logback.xml"), LOGBACK);
      const spec: NodeSpec = { ip, dir, classpath, heap };
      specs.set(ip, spec);
      const started = Date.now();
      const pid = launchNode(spec);
      nodes.push({ ip, dir, pid });
      writeFileSync(
        join(stateDir, "cluster.json"),
        JSON.stringify({ contactPoints: ips, port: CQL_PORT, heap, nodes } satisfies ClusterState),
      );
      await waitForCql(ip, pid, dir, options.startTimeoutMs ?? 120_000);
      log(`node ${ip} serves CQL after ${((Date.now() - started) / 1000).toFixed(1)}s`);
    }
    if (options.auth) await waitForLogin(ips, options.startTimeoutMs ?? 120_000);
    if (ips.length > 1) await waitForRing(ips, options.auth ?? false, options.startTimeoutMs ?? 120_000);
  } catch (error) {
    await stopCassandraState(stateDir);
    throw error;
  }
  return cluster;
}

interface ClusterState {
  contactPoints: string[];
  port: number;
  heap?: string;
  nodes: CassandraNode[];
}

/**
 * A cluster already running from `cli.ts start` (its state dir), for iterating on a test without waiting minutes
 * for nodes to start: `kill` and `restart` work as on a started cluster; `stop()` leaves it running and restarts
 * the nodes that are down, so the next run finds it as it was.
 */
export function attachCassandra(stateDir: string, startTimeoutMs = 240_000): CassandraCluster {
  const state = JSON.parse(readFileSync(join(stateDir, "cluster.json"), "utf8")) as ClusterState;
  const lib = installCassandra();
  const classpath = readdirSync(lib)
    .filter((f) => f.endsWith(".jar"))
    .map((f) => join(lib, f))
    .join(":");
  const nodes = state.nodes;
  const restart = async (ip: string) => {
    const node = nodes.find((n) => n.ip === ip);
    if (!node) throw new Error(`no Cassandra node ${ip} in ${stateDir}`);
    if (alive(node.pid) || (await portOpen(ip, CQL_PORT, 300))) {
      throw new Error(`Cassandra node ${ip} is still running (or ${ip}:${CQL_PORT} is taken)`);
    }
    node.pid = launchNode({ ip, dir: node.dir, classpath, heap: state.heap ?? "512M" });
    writeFileSync(join(stateDir, "cluster.json"), JSON.stringify(state));
    await waitForCql(ip, node.pid, node.dir, startTimeoutMs);
  };
  return {
    contactPoints: [...state.contactPoints],
    port: state.port,
    localDataCenter: CASSANDRA_DC,
    stateDir,
    nodes,
    kill: (ip) => killNode(nodes, ip),
    restart,
    async stop() {
      for (const node of nodes) if (!alive(node.pid)) await restart(node.ip);
    },
  };
}

/** Stops every node recorded in a state dir (SIGTERM, SIGKILL after `graceMs`) and removes the dir. */
export async function stopCassandraState(stateDir: string, graceMs = 15_000): Promise<void> {
  const pids: number[] = [];
  if (existsSync(stateDir)) {
    for (const entry of readdirSync(stateDir)) {
      const pidFile = join(stateDir, entry, "pid");
      if (existsSync(pidFile)) pids.push(Number(readFileSync(pidFile, "utf8")));
    }
  }
  const live = pids.filter((pid) => pid > 0 && alive(pid));
  for (const pid of live) process.kill(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (live.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const pid of live) if (alive(pid)) process.kill(pid, "SIGKILL");
  while (live.some(alive)) await new Promise((r) => setTimeout(r, 50));
  rmSync(stateDir, { recursive: true, force: true });
}
