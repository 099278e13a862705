/**
 * Each node's free data-disk space as a backup sees it: the agent's `operations/about` of its `data:` remote, asked
 * with the cluster's auth token (the server hands it out in the cluster JSON, as SM's does).
 * @module
 */
import { AgentClient } from "../clients/agent/client.ts";
import { RcloneClient } from "../clients/agent/rclone.ts";
import { ScyllaClient } from "../clients/scylla/client.ts";
import { errorMessage } from "../errors.ts";

/** The agent settings of a cluster, as `GET /clusters` answers them. */
export interface ClusterAgentAccess {
  port?: number;
  auth_token?: string;
  agent_ca_cert?: string;
  agent_cert_fingerprint?: string;
}

/** Free percent of each host's data disk, or the error the agent answered. */
export async function readFreeDiskPercent(
  cluster: ClusterAgentAccess,
  hosts: readonly string[],
): Promise<Map<string, number | { error: string }>> {
  const scylla = new ScyllaClient({
    hosts: [...hosts],
    port: cluster.port || undefined,
    authToken: cluster.auth_token ?? "",
    tls: { caCert: cluster.agent_ca_cert, certFingerprint: cluster.agent_cert_fingerprint },
  });
  const rclone = new RcloneClient(new AgentClient(scylla));
  try {
    const answers = await Promise.all(
      hosts.map(async (host) => {
        try {
          const about = await rclone.about(host, "data:", { timeoutMs: 10_000 });
          return about.total > 0 ? (about.free * 100) / about.total : 100;
        } catch (error) {
          return { error: errorMessage(error) };
        }
      }),
    );
    return new Map(hosts.map((host, i) => [host, answers[i] as number | { error: string }]));
  } finally {
    scylla.close();
  }
}
