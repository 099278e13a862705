/**
 * Starts one in-process scylla-manager-agent per emulated node: same IP, HTTPS port 10001 (SM uses one agent port
 * per cluster), the node's data dir as `data:`, Scylla's API at `<ip>:<restPort>`.
 * Used by `startCluster({agents})`, `cli.ts up --agents` and tests.
 * @module
 */
import { type AgentConfigInput, parseAgentConfig } from "../../agent/config.ts";
import type { Backend } from "../../agent/providers/provider.ts";
import { type RunningAgent, startAgent } from "../../agent/server.ts";
import { createSilentLogger, type Logger } from "../../src/util/log.ts";

/** The part of an emulated node the agent needs (B1's `EmulatedCluster.nodes[]`). */
export interface AgentNode {
  ip: string;
  restPort: number;
  dataDir: string;
}

export interface StartAgentsOptions {
  /** The token every agent requires (`auth_token`). */
  authToken: string;
  /** HTTPS port on each node IP; default 10001. */
  port?: number;
  /** Agent metrics listener port on each node IP (plain HTTP); default 5090; 0 = disabled. */
  prometheusPort?: number;
  /** Extra agent config (s3/gcs/azure/localstorage/rclone...) applied to every agent. */
  config?: AgentConfigInput;
  logger?: Logger;
  /** Wraps each agent's storage backends (see `StartAgentOptions.wrapBackend`); gets the node IP too. */
  wrapBackend?: (backend: Backend, ip: string) => Backend;
}

/** The running agents, in node order. */
export interface EmulatedAgents {
  agents: RunningAgent[];
  /** Agent by node IP. */
  byIp: Map<string, RunningAgent>;
  close(): Promise<void>;
}

/** Starts an agent in front of every node; on failure the ones already started are stopped. */
export async function startAgents(
  cluster: { nodes: readonly AgentNode[] },
  options: StartAgentsOptions,
): Promise<EmulatedAgents> {
  const port = options.port ?? 10001;
  const promPort = options.prometheusPort ?? 5090;
  const logger = options.logger ?? createSilentLogger();
  const started = await Promise.allSettled(
    cluster.nodes.map((node) =>
      startAgent(
        parseAgentConfig({
          ...options.config,
          auth_token: options.authToken,
          https: `${node.ip}:${port}`,
          prometheus: promPort === 0 ? "" : `${node.ip}:${promPort}`,
          // One pprof-like debug listener per agent would collide on 127.0.0.1:5112.
          debug: "",
          scylla: { api_address: node.ip, api_port: node.restPort },
        }),
        {
          logger,
          waitForScylla: { attempts: 20, intervalMs: 100 },
          scyllaOverrides: { data_directory: node.dataDir },
          defaultMetrics: false,
          pinCpu: false,
          // Off-cloud the IMDS probes only add latency; point them at a closed local port.
          cloudMetadata: {
            awsUrl: "http://127.0.0.1:9",
            gcpUrl: "http://127.0.0.1:9",
            azureUrl: "http://127.0.0.1:9",
            timeoutMs: 500,
          },
          terminate: () => logger.warn(`agent ${node.ip}: terminate ignored in the emulator`),
          wrapBackend: options.wrapBackend && ((backend) => options.wrapBackend?.(backend, node.ip) ?? backend),
        },
      ),
    ),
  );
  const agents = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const failed = started.find((result) => result.status === "rejected");
  if (failed !== undefined) {
    await Promise.all(agents.map((agent) => agent.close()));
    throw (failed as PromiseRejectedResult).reason;
  }
  return {
    agents,
    byIp: new Map(agents.map((agent, i) => [cluster.nodes[i]?.ip ?? "", agent])),
    async close() {
      await Promise.all(agents.map((agent) => agent.close()));
    },
  };
}
