import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSelfSignedCertificate } from "../../agent/tls-cert.ts";
import { type EmulatedAgents, startAgents } from "../../test/emulator/agents.ts";
import { type EmulatedCluster, startCluster } from "../../test/emulator/index.ts";
import { startDaemon } from "../server/daemon.ts";
import { createCqlClient } from "../store/cql/connect.ts";
import { CQL_MIGRATIONS, MIGRATIONS_TABLE, MIGRATIONS_TABLE_DDL, migrationChecksum } from "../store/cql/schema.ts";
import { LATEST_VERSION } from "../store/sqlite/schema.ts";
import { createSilentLogger } from "../util/log.ts";
import { formatDoctorReport, runDoctor } from "./doctor.ts";
import { judgeCertificate, judgeClockSkew, judgeCqlMigrations, judgeStoreVersion } from "./findings.ts";

const dir = mkdtempSync(join(tmpdir(), "sm-doctor-"));
const resources: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const resource of resources.reverse()) await resource.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("findings", () => {
  test("certificates, clocks and store versions", () => {
    const now = Date.UTC(2026, 0, 31);
    expect(judgeCertificate("c", now - 1, now).verdict).toBe("fail");
    expect(judgeCertificate("c", now + 10 * 86_400_000, now)).toMatchObject({
      verdict: "warn",
      detail: expect.stringMatching(/10 days/),
    });
    expect(judgeCertificate("c", now + 100 * 86_400_000, now).verdict).toBe("ok");
    expect(judgeClockSkew("k", now + 4_000, now).verdict).toBe("ok");
    expect(judgeClockSkew("k", now - 60_000, now)).toMatchObject({
      verdict: "fail",
      detail: "node clock is 60s behind",
    });
    expect(judgeStoreVersion("f", 2, 2).verdict).toBe("ok");
    expect(judgeStoreVersion("f", 3, 2).verdict).toBe("fail");
    expect(judgeStoreVersion("f", 1, 2)).toMatchObject({
      verdict: "warn",
      fix: expect.stringMatching(/f\.schema-v1\.bak/),
    });
  });

  test("CQL store migrations", () => {
    const known = [
      { name: "001.cql", checksum: "a" },
      { name: "002.cql", checksum: "b" },
    ];
    const row = (name: string, checksum: string, done = true) => ({ name, checksum, done });
    expect(judgeCqlMigrations("t", [row("001.cql", "a"), row("002.cql", "b")], known).verdict).toBe("ok");
    expect(judgeCqlMigrations("t", [row("001.cql", "a")], known)).toMatchObject({
      verdict: "warn",
      detail: "t: 1 of 2 migrations applied, this version applies 002.cql at start",
    });
    expect(judgeCqlMigrations("t", [row("001.cql", "a"), row("002.cql", "b", false)], known)).toMatchObject({
      verdict: "warn",
      detail: expect.stringContaining("002.cql was started and not finished"),
    });
    expect(judgeCqlMigrations("t", [row("001.cql", "x"), row("002.cql", "b")], known)).toMatchObject({
      verdict: "fail",
      detail: expect.stringContaining("001.cql was applied by another build"),
    });
    expect(judgeCqlMigrations("t", [row("001.cql", "a"), row("003.cql", "c")], known).verdict).toBe("fail");
  });
});

describe("scylla-manager doctor on a running installation", () => {
  const config = join(dir, "scylla-manager.yaml");
  const dataDir = join(dir, "data");
  writeFileSync(config, `http: 127.9.2.100:5080\nprometheus: ""\ndata_dir: ${dataDir}\n`);
  let cluster: EmulatedCluster;
  let agents: EmulatedAgents;

  test("an expired agent certificate is named with its fix; the rest is healthy", async () => {
    cluster = await startCluster({ dcs: "dc1:3", ipPrefix: "127.9.2.", dir: join(dir, "emu") });
    resources.push(cluster);
    const expired = createSelfSignedCertificate(["127.9.2.1"], new Date(Date.now() - 2 * 365 * 86_400_000));
    writeFileSync(join(dir, "old.crt"), expired.cert);
    writeFileSync(join(dir, "old.key"), expired.key);
    agents = await startAgents(cluster, {
      authToken: "token-one",
      config: { tls_cert_file: join(dir, "old.crt"), tls_key_file: join(dir, "old.key") },
    });
    const daemon = await startDaemon([config], { logger: createSilentLogger() });
    resources.push({ close: () => daemon.close() });
    const added = await fetch(`${daemon.urls.http}/api/v1/clusters`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ host: "127.9.2.1", auth_token: "token-one", name: "doc" }),
    });
    expect(added.status).toBe(201);

    const findings = await runDoctor({ configFiles: [config] });
    const report = formatDoctorReport(findings);
    expect(findings.find((f) => f.check === "server")?.verdict).toBe("ok");
    expect(findings.find((f) => f.check === "store schema")?.verdict).toBe("ok");
    const certs = findings.filter((f) => f.check.endsWith("agent certificate"));
    expect(certs.map((f) => f.verdict)).toEqual(["fail", "fail", "fail"]);
    expect(report).toContain("fix: issue a new certificate");
    expect(findings.filter((f) => /^cluster doc \/ [\d.]+$/.test(f.check)).map((f) => f.verdict)).toEqual([
      "ok",
      "ok",
      "ok",
    ]);
    expect(findings.filter((f) => f.check.endsWith(" clock")).every((f) => f.verdict === "ok")).toBe(true);
    // Each node's data disk is read through its agent (the emulator's data dir: this machine's real disk).
    expect(findings.filter((f) => f.check.endsWith(" disk space")).map((f) => f.detail)).toEqual([
      expect.stringMatching(/^\d+\.\d% free on the data disk \(backups need at least 10%\)$/),
      expect.stringMatching(/^\d+\.\d% free/),
      expect.stringMatching(/^\d+\.\d% free/),
    ]);

    // A threshold no real disk meets: every node fails with the fix.
    const strict = join(dir, "strict.yaml");
    writeFileSync(
      strict,
      `http: 127.9.2.100:5080\nprometheus: ""\ndata_dir: ${dataDir}\nbackup:\n  disk_space_free_min_percent: 99\n`,
    );
    const disks = (await runDoctor({ configFiles: [strict] })).filter((f) => f.check.endsWith(" disk space"));
    expect(disks.map((f) => f.verdict)).toEqual(["fail", "fail", "fail"]);
    expect(disks[0]?.fix).toContain("disk_space_free_min_percent");
  }, 120_000);

  test("a node whose Scylla REST API does not answer is named with the fix", async () => {
    const victim = cluster.nodes[1]?.ip as string;
    await cluster.faults.blackhole(victim, "rest");
    try {
      const findings = await runDoctor({ configFiles: [config] });
      expect(findings.find((f) => f.check === `cluster doc / ${victim}`)).toMatchObject({
        verdict: "fail",
        detail: expect.stringMatching(/^Scylla REST through the agent: TIMEOUT/),
        fix: expect.stringContaining("reaches Scylla's REST API"),
      });
    } finally {
      await cluster.faults.unblackhole(victim, "rest");
    }
  }, 120_000);

  test("agents that no longer accept the cluster's token are named with the fix", async () => {
    await agents.close();
    agents = await startAgents(cluster, { authToken: "token-two" });
    resources.push(agents);
    const findings = await runDoctor({ configFiles: [config] });
    // No node answers the server, so its status fails as a whole (as SM's does): one finding for the cluster.
    const found = findings.find((f) => f.check === "cluster doc");
    expect(found?.verdict).toBe("fail");
    expect(found?.detail).toStartWith("the agents refuse the cluster's auth token");
    expect(found?.fix).toContain("sctool cluster update --auth-token");
  }, 120_000);

  test("with the server stopped, a store one migration behind is reported with the fix", async () => {
    for (const resource of resources.splice(1).reverse()) await resource.close(); // daemon and agents
    const db = new Database(join(dataDir, "scylla-manager.db"));
    db.exec(`PRAGMA user_version = ${LATEST_VERSION - 1}`);
    db.close();
    const findings = await runDoctor({ configFiles: [config] });
    expect(findings.find((f) => f.check === "server")).toMatchObject({
      verdict: "warn",
      detail: expect.stringContaining("http://127.9.2.100:5080"),
      fix: expect.stringContaining("systemctl start scylla-manager"),
    });
    expect(findings.find((f) => f.check === "store schema")).toMatchObject({
      verdict: "warn",
      detail: expect.stringContaining(
        `schema v${LATEST_VERSION - 1}, this version migrates it to v${LATEST_VERSION} at start`,
      ),
      fix: expect.stringContaining("start the server to migrate"),
    });
  }, 60_000);

  test("a CQL store: unreachable, not created, one migration behind, current, and newer are each reported", async () => {
    // The emulated cluster's CQL port holds the store's keyspace, written here as each state would leave it.
    const keyspace = "doctor_store";
    const cqlConfig = (hosts: string[]) => {
      const file = join(dir, `cql-${hosts.join("-")}.yaml`);
      writeFileSync(
        file,
        JSON.stringify({
          http: "127.9.2.100:5080",
          prometheus: "",
          data_dir: dataDir,
          store: "cql",
          database: { hosts, keyspace, timeout: "10s" },
        }),
      );
      return [file];
    };
    const storeFindings = async (hosts = ["127.9.2.1"]) =>
      (await runDoctor({ configFiles: cqlConfig(hosts) })).filter((f) => f.check.startsWith("store"));

    // Nothing listens on this address: connection refused.
    const [unreachable] = await storeFindings(["127.9.2.250"]);
    expect(unreachable).toMatchObject({
      check: "store",
      verdict: "fail",
      detail: expect.stringContaining("no database host answered"),
      fix: expect.stringContaining("check database.hosts"),
    });

    expect(await storeFindings()).toMatchObject([
      { check: "store", verdict: "ok" },
      { check: "store schema", verdict: "warn", detail: expect.stringContaining("does not exist yet") },
    ]);

    const admin = createCqlClient({ hosts: ["127.9.2.1"], keyspace: "system", timeoutMs: 10_000 });
    await admin.connect();
    try {
      await admin.execute(
        `CREATE KEYSPACE ${keyspace} WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': 1}`,
      );
      await admin.execute(MIGRATIONS_TABLE_DDL.replaceAll("{ks}", keyspace));
      const markDone = (name: string, checksum: string) =>
        admin.execute(
          `INSERT INTO ${keyspace}.${MIGRATIONS_TABLE} (name, checksum, done, start_time, end_time) VALUES (?, ?, 1, ?, ?)`,
          [name, checksum, new Date(), new Date()],
          { prepare: true },
        );
      const [last, ...earlier] = [...CQL_MIGRATIONS].reverse();
      if (!last) throw new Error("no CQL migrations");
      for (const migration of earlier) await markDone(migration.name, migrationChecksum(migration));

      expect((await storeFindings())[1]).toMatchObject({
        verdict: "warn",
        detail: expect.stringContaining(`this version applies ${last.name} at start`),
        fix: expect.stringContaining("start the server to migrate"),
      });

      await markDone(last.name, migrationChecksum(last));
      expect((await storeFindings())[1]).toMatchObject({
        verdict: "ok",
        detail: expect.stringContaining(`${CQL_MIGRATIONS.length} migrations applied (current)`),
      });

      await markDone("999_from_the_future.cql", "f".repeat(64));
      expect((await storeFindings())[1]).toMatchObject({
        verdict: "fail",
        detail: expect.stringContaining("999_from_the_future.cql is newer than this version knows"),
        fix: expect.stringContaining("run the newer scylla-manager"),
      });
    } finally {
      await admin.shutdown();
    }
  }, 120_000);
});
