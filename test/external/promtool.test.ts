/**
 * Prometheus's own `promtool` (built from the Go module proxy by run.sh) judges what we expose to Prometheus: the
 * server's and the agent's `/metrics` (`promtool check metrics`) and a prometheus.yml whose `consul_sd_configs`
 * point at our Consul SD endpoints (`promtool check config`). The daemon runs in-process with one emulated
 * 2-node cluster (127.0.29.x, non-default ports so emulator tests on the same IPs cannot collide) and our agents.
 * Skips, saying why, when promtool is unavailable.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultServerConfig } from "../../src/config/server.ts";
import { type Daemon, startDaemon } from "../../src/server/daemon.ts";
import { createSilentLogger } from "../../src/util/log.ts";
import { type EmulatedAgents, startAgents } from "../emulator/agents.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import { buildConsulSdConfig, diffLintProblems, parseSdTargets, runPromtool } from "./promtool-support.ts";

const promtool = process.env.SM_EXT_PROMTOOL;
const skip =
  process.env.SM_EXT_PROMTOOL_SKIP ?? (promtool ? undefined : "no promtool: use test/external/run.sh, which builds it");
if (skip !== undefined) console.warn(`SKIP promtool suite: ${skip}`);

const TOKEN = "promtool-token";
const SERVER_IP = "127.0.29.100";
const AGENT_PORT = 10_129;
const AGENT_PROMETHEUS_PORT = 5_129;

/**
 * Problems promtool's linter reports today (`<metric> <problem>`). All come from SM's own metric names, which we
 * keep for drop-in compatibility (Scylla Monitoring's dashboards query them): `*_rtt_ms` gauges, the gauge
 * `scylla_manager_scheduler_run_total` and the counter `scylla_manager_agent_http_status_code` without `_total`.
 * The tests fail on any problem not listed here, so the lists can only shrink.
 */
const KNOWN_SERVER_PROBLEMS: readonly string[] = [
  "scylla_manager_healthcheck_cql_rtt_ms metric names should not contain abbreviated units",
  "scylla_manager_healthcheck_rest_rtt_ms metric names should not contain abbreviated units",
  'scylla_manager_scheduler_run_total non-counter metrics should not have "_total" suffix',
];
const KNOWN_AGENT_PROBLEMS: readonly string[] = [
  'scylla_manager_agent_http_status_code counter metrics should have "_total" suffix',
];
/** promtool's exit code when the exposition parses but the linter has complaints. */
const LINT_EXIT_CODE = 3;

describe.skipIf(skip !== undefined)(`promtool${skip ? ` (skipped: ${skip})` : ""}`, () => {
  const bin = promtool as string;
  let cluster: EmulatedCluster;
  let agents: EmulatedAgents;
  let daemon: Daemon;
  let clusterId = "";
  let tempDir = "";

  beforeAll(async () => {
    tempDir = mkdtempSync(join(tmpdir(), "sm-promtool-"));
    cluster = await startCluster({
      dcs: [2],
      ipPrefix: "127.0.29.",
      tokensPerNode: 8,
      ports: { rest: 10_029, cql: 9_029, prometheus: 9_129 },
    });
    agents = await startAgents(cluster, { authToken: TOKEN, port: AGENT_PORT, prometheusPort: AGENT_PROMETHEUS_PORT });
    daemon = await startDaemon([], {
      config: {
        ...defaultServerConfig(),
        store: "memory",
        http: `${SERVER_IP}:0`,
        prometheus: `${SERVER_IP}:0`,
      },
      logger: createSilentLogger(),
    });
    const created = await fetch(`${daemon.urls.http}/api/v1/clusters`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ host: cluster.nodes[0]?.ip, name: "prom", auth_token: TOKEN, port: AGENT_PORT }),
    });
    expect(created.status, await created.text()).toBe(201);
    clusterId = created.headers.get("location")?.split("/").pop() ?? "";
    // One healthcheck run of each kind so the healthcheck and scheduler gauges have samples.
    const { store, manager } = daemon.deps;
    if (manager === undefined) throw new Error("the daemon started without a Manager");
    for (const task of await store.listTasks(clusterId, { type: "healthcheck" })) {
      await manager.tasks.start(clusterId, task.type, task.id);
    }
    await waitForMetric(`scylla_manager_healthcheck_rest_status{cluster="${clusterId}"`);
    await waitForMetric(`scylla_manager_scheduler_run_total{cluster="${clusterId}"`);
  }, 30_000);

  afterAll(async () => {
    await daemon?.close();
    await agents?.close();
    await cluster?.close();
    if (tempDir !== "") rmSync(tempDir, { recursive: true, force: true });
  });

  async function waitForMetric(prefix: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if ((await fetchText(`${daemon.urls.prometheus}/metrics`)).includes(prefix)) return;
      await Bun.sleep(100);
    }
    throw new Error(`no sample starting with ${prefix} within 10 s`);
  }

  test("the harness notices a bad exposition (a counter without _total, a missing HELP)", async () => {
    const bad = "# TYPE requests counter\nrequests 1\n";
    const result = await runPromtool(bin, ["check", "metrics"], bad);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain("requests");
  });

  test("the server's /metrics passes promtool check metrics", async () => {
    const text = await fetchText(`${daemon.urls.prometheus}/metrics`);
    expect(text).toContain(`scylla_manager_healthcheck_cql_status{cluster="${clusterId}"`);
    expect(text).toContain("scylla_manager_scheduler_");
    const result = await runPromtool(bin, ["check", "metrics"], text);
    const { problems, added } = diffLintProblems(result.output, KNOWN_SERVER_PROBLEMS);
    if (problems.length > 0) console.warn(`promtool on the server's /metrics:\n${problems.join("\n")}`);
    expect(added).toEqual([]);
    expect(result.code, result.output).toBe(problems.length === 0 ? 0 : LINT_EXIT_CODE);
  });

  test("the agent's /metrics passes promtool check metrics", async () => {
    const agent = agents.agents[0];
    expect(agent?.prometheusUrl).toBe(`http://${cluster.nodes[0]?.ip}:${AGENT_PROMETHEUS_PORT}`);
    const text = await fetchText(`${agent?.prometheusUrl}/metrics`);
    // The server's calls through this agent (cluster add, healthcheck) are counted.
    expect(text).toContain("scylla_manager_agent_http_status_code{");
    const result = await runPromtool(bin, ["check", "metrics"], text);
    const { problems, added } = diffLintProblems(result.output, KNOWN_AGENT_PROBLEMS);
    if (problems.length > 0) console.warn(`promtool on the agent's /metrics:\n${problems.join("\n")}`);
    expect(added).toEqual([]);
    expect(result.code, result.output).toBe(problems.length === 0 ? 0 : LINT_EXIT_CODE);
  });

  test("a prometheus.yml with consul_sd_configs on our listener passes promtool check config", async () => {
    const sdServer = (daemon.urls.prometheus as string).replace("http://", "");
    // The endpoints the config points at answer as Consul does.
    const services = await fetch(`${daemon.urls.prometheus}/v1/catalog/services`);
    expect(services.headers.get("x-consul-index")).toMatch(/^\d+$/);
    expect(await services.json()).toEqual({ scylla: ["prom"] });
    const path = join(tempDir, "prometheus.yml");
    writeFileSync(path, buildConsulSdConfig(sdServer));
    const result = await runPromtool(bin, ["check", "config", path]);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain("SUCCESS");
  });

  test("promtool check service-discovery finds every node through our Consul endpoints", async () => {
    const path = join(tempDir, "prometheus-sd.yml");
    writeFileSync(path, buildConsulSdConfig((daemon.urls.prometheus as string).replace("http://", "")));
    // promtool collects target groups until the timeout, always: keep it short.
    const result = await runPromtool(bin, ["check", "service-discovery", path, "scylla", "--timeout=5s"]);
    expect(result.code, result.output).toBe(0);
    const targets = parseSdTargets(result.output);
    expect(targets.map((t) => t.labels.__address__?.split(":")[0]).sort()).toEqual(cluster.nodes.map((n) => n.ip));
    for (const target of targets) {
      expect(target.labels).toMatchObject({ job: "scylla", cluster: "prom", dc: "dc1" });
      expect(target.labels.instance).toBe(target.labels.__address__?.split(":")[0]);
    }
  }, 20_000);
});

async function fetchText(url: string): Promise<string> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return response.text();
}
