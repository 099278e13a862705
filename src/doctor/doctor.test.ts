import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSelfSignedCertificate } from "../../agent/tls-cert.ts";
import { type EmulatedAgents, startAgents } from "../../test/emulator/agents.ts";
import { type EmulatedCluster, startCluster } from "../../test/emulator/index.ts";
import { startDaemon } from "../server/daemon.ts";
import { createSilentLogger } from "../util/log.ts";
import { formatDoctorReport, runDoctor } from "./doctor.ts";
import { judgeCertificate, judgeClockSkew, judgeStoreVersion } from "./findings.ts";

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
    db.exec("PRAGMA user_version = 0");
    db.close();
    const findings = await runDoctor({ configFiles: [config] });
    expect(findings.find((f) => f.check === "server")?.verdict).toBe("warn");
    expect(findings.find((f) => f.check === "store schema")).toMatchObject({
      verdict: "warn",
      detail: expect.stringContaining("schema v0, this version migrates it to v1 at start"),
    });
  }, 60_000);
});
