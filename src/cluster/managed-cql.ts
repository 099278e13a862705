/**
 * A CQL session to a managed cluster (one UP node, single-host), with the cluster's stored credentials and TLS
 * settings; undefined when the node requires credentials the cluster does not have (SM then skips what needs
 * CQL, e.g. repair's view ordering).
 * @module
 */
import { resolveCqlEndpoint } from "../clients/agent/node-info.ts";
import { type CqlSession, openCqlSession } from "../clients/cql/session.ts";
import type { ClusterService } from "./service.ts";
import { readNodeStates } from "./topology.ts";

export async function openManagedCqlSession(
  clusters: ClusterService,
  clusterId: string,
): Promise<CqlSession | undefined> {
  const record = await clusters.resolve(clusterId);
  const { scylla, agent } = await clusters.clients(record.id);
  const node = (await readNodeStates(scylla)).find((n) => n.status === "UN");
  if (node === undefined) return undefined;
  const info = await agent.nodeInfo(node.host);
  const secrets = await clusters.secrets(record.id);
  if (info.cql_password_protected && !secrets.cql) return undefined;
  const endpoint = resolveCqlEndpoint(info, node.host, record);
  return openCqlSession({
    contactPoints: [`${endpoint.address}:${endpoint.port}`],
    localDataCenter: node.dc,
    credentials: secrets.cql,
    tls: endpoint.tls,
    clientCert: secrets.tls ? { cert: secrets.tls.cert, key: secrets.tls.private_key } : undefined,
    singleHost: true,
  });
}
