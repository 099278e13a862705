/**
 * The read side's view of a managed cluster (daemon) or of a `Cluster` (library): the agent's rclone client over
 * the cluster's known hosts.
 * @module
 */
import type { AgentClient } from "../../clients/agent/client.ts";
import { RcloneClient } from "../../clients/agent/rclone.ts";
import type { ScyllaClient } from "../../clients/scylla/client.ts";
import type { BackupReadAccess } from "./access.ts";

/** Builds a BackupReadAccess from gateway clients. */
export function readAccessOf(clusterId: string, scylla: ScyllaClient, agent: AgentClient): BackupReadAccess {
  return {
    clusterId,
    client: new RcloneClient(agent),
    hosts: scylla.pool.hosts,
    datacenterOf: (host) => scylla.datacenter(host),
  };
}
