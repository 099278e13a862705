/**
 * `scylla-manager doctor`: checks an installation end to end and says what to fix. In order: the config files, the
 * server (is it answering, which version), the store (SQLite or CQL: reachable, migrated; read without changing
 * it), and for every cluster the server manages, each node as the server sees it (agent reachable with the right
 * token, Scylla REST up) plus an unauthenticated probe of each agent's HTTPS port (certificate expiry, clock skew)
 * and each node's free data-disk space against the backup's `disk_space_free_min_percent`.
 * @module
 */

import { existsSync } from "node:fs";
import { apiUrlForListeners } from "../cli/globals.ts";
import { ManagerApiClient } from "../clients/manager-api/client.ts";
import { DEFAULT_SERVER_CONFIG_FILE, loadServerConfig, type ServerConfig } from "../config/server.ts";
import { errorMessage, isManagerError } from "../errors.ts";
import type { NodeStatusJson } from "../healthcheck/model.ts";
import { resolveStoreFile } from "../store/open.ts";
import { type ClusterAgentAccess, readFreeDiskPercent } from "./disk-space.ts";
import {
  type Finding,
  judgeCertificate,
  judgeClockSkew,
  judgeDiskSpace,
  judgeNodeStatus,
  judgeStatusError,
  judgeStoreVersion,
  type Verdict,
} from "./findings.ts";
import { probeAgent } from "./probe-agent.ts";

export interface DoctorOptions {
  configFiles: readonly string[];
  /** Epoch ms; default Date.now. */
  now?: () => number;
}

interface ClusterJson extends ClusterAgentAccess {
  id: string;
  name: string;
}

/** Runs every check; the findings in the order they were made. */
export async function runDoctor(options: DoctorOptions): Promise<Finding[]> {
  const now = options.now ?? Date.now;
  const findings: Finding[] = [];
  let config: ServerConfig;
  try {
    config = loadServerConfig(options.configFiles);
    const read =
      options.configFiles.length > 0
        ? options.configFiles.join(", ")
        : existsSync(DEFAULT_SERVER_CONFIG_FILE)
          ? DEFAULT_SERVER_CONFIG_FILE
          : `defaults (no ${DEFAULT_SERVER_CONFIG_FILE})`;
    findings.push({ check: "config", verdict: "ok", detail: read });
  } catch (error) {
    findings.push({
      check: "config",
      verdict: "fail",
      detail: errorMessage(error),
      ...(isManagerError(error) && error.hint ? { fix: error.hint } : {}),
    });
    return findings;
  }

  const apiUrl = apiUrlForListeners(config);
  const client = apiUrl ? new ManagerApiClient({ apiUrl, token: config.auth_token || undefined }) : undefined;
  let serverUp = false;
  try {
    const version = await client?.request<{ version: string }>("GET", "/version");
    serverUp = version !== undefined;
    findings.push({ check: "server", verdict: "ok", detail: `${apiUrl} answers, version ${version?.version}` });
  } catch (error) {
    findings.push({
      check: "server",
      verdict: "warn",
      detail: `${apiUrl ?? "no http/https listener"}: ${errorMessage(error)}`,
      fix: "start it: systemctl start scylla-manager (cluster checks need a running server)",
    });
  }

  findings.push(...(await checkStore(config)));
  if (!client || !serverUp) return findings;

  let clusters: ClusterJson[] = [];
  try {
    clusters = (await client.request<ClusterJson[] | null>("GET", "/clusters")) ?? [];
  } catch (error) {
    findings.push({ check: "clusters", verdict: "fail", detail: errorMessage(error) });
  }
  for (const cluster of clusters) {
    const label = `cluster ${cluster.name || cluster.id}`;
    let nodes: NodeStatusJson[] = [];
    try {
      nodes = (await client.request<NodeStatusJson[] | null>("GET", `/cluster/${cluster.id}/status`)) ?? [];
    } catch (error) {
      findings.push(judgeStatusError(label, errorMessage(error)));
      continue;
    }
    await Promise.all(
      nodes.map(async (node) => {
        findings.push(judgeNodeStatus(`${label} / ${node.host}`, node));
        const probe = await probeAgent(node.host, cluster.port || 10001);
        if (probe.error) return; // the node's status above already says it is unreachable
        if (probe.certValidToMs !== undefined) {
          findings.push(judgeCertificate(`${label} / ${node.host} agent certificate`, probe.certValidToMs, now()));
        }
        if (probe.dateMs !== undefined) {
          findings.push(judgeClockSkew(`${label} / ${node.host} clock`, probe.dateMs, probe.receivedMs));
        }
      }),
    );
    const reachable = nodes.filter((node) => node.rest_status === "UP").map((node) => node.host);
    const minPercent = config.backup?.disk_space_free_min_percent ?? 10;
    for (const [host, free] of await readFreeDiskPercent(cluster, reachable)) {
      const check = `${label} / ${host} disk space`;
      findings.push(
        typeof free === "number"
          ? judgeDiskSpace(check, free, minPercent)
          : { check, verdict: "warn", detail: `the agent did not say: ${free.error}` },
      );
    }
  }
  return findings;
}

async function checkStore(config: ServerConfig): Promise<Finding[]> {
  if (config.store === "memory") {
    return [
      { check: "store", verdict: "warn", detail: "memory: nothing survives a restart", fix: "use store: sqlite" },
    ];
  }
  if (config.store === "cql") {
    const { checkCqlStore } = await import("./cql-store.ts");
    return checkCqlStore(config);
  }
  return [await checkSqliteStore(config)];
}

async function checkSqliteStore(config: ServerConfig): Promise<Finding> {
  const file = resolveStoreFile(config);
  if (!existsSync(file)) {
    return {
      check: "store",
      verdict: "warn",
      detail: `${file} does not exist yet`,
      fix: "the server creates it at start",
    };
  }
  try {
    const { readStoreVersion } = await import("../store/sqlite/migrate.ts");
    const { LATEST_VERSION } = await import("../store/sqlite/schema.ts");
    const version = readStoreVersion(file);
    if (version === "locked") {
      return {
        check: "store schema",
        verdict: "ok",
        detail: `${file}: held by the running server (migrated at its start)`,
      };
    }
    return judgeStoreVersion(file, version, LATEST_VERSION);
  } catch (error) {
    return {
      check: "store",
      verdict: "fail",
      detail: `${file}: ${errorMessage(error)}`,
      fix: "check the file's owner and mode (the service user must read and write it)",
    };
  }
}

const LABEL: Record<Verdict, string> = { ok: "[ OK ]", warn: "[WARN]", fail: "[FAIL]" };

/** The report as printed: a line per finding, its fix indented under it, then a summary. */
export function formatDoctorReport(findings: readonly Finding[]): string {
  const lines = findings.flatMap((finding) => [
    `${LABEL[finding.verdict]} ${finding.check}: ${finding.detail}`,
    ...(finding.fix && finding.verdict !== "ok" ? [`       fix: ${finding.fix}`] : []),
  ]);
  const count = (verdict: Verdict) => findings.filter((finding) => finding.verdict === verdict).length;
  lines.push("", `${count("ok")} ok, ${count("warn")} warnings, ${count("fail")} problems`);
  return `${lines.join("\n")}\n`;
}
