/**
 * The cluster calls of the Manager REST API (sctool `cluster add|list|update|delete`).
 * @module
 */
import * as v from "valibot";
import { ManagerError } from "../../errors.ts";
import { type ManagerApiClient, parseAnswer } from "./client.ts";

/** A cluster as the server answers it (unknown keys kept out). */
const ApiClusterSchema = v.object({
  id: v.string(),
  name: v.optional(v.string(), ""),
  labels: v.optional(v.nullable(v.record(v.string(), v.string())), null),
  host: v.optional(v.string(), ""),
  port: v.optional(v.number(), 0),
  auth_token: v.optional(v.string(), ""),
  username: v.optional(v.string()),
  password: v.optional(v.string()),
  alternator_access_key_id: v.optional(v.string()),
  alternator_secret_access_key: v.optional(v.string()),
  force_tls_disabled: v.optional(v.boolean(), false),
  force_non_ssl_session_port: v.optional(v.boolean(), false),
  agent_ca_cert: v.optional(v.string()),
  agent_cert_fingerprint: v.optional(v.string()),
});
export type ApiCluster = v.InferOutput<typeof ApiClusterSchema>;

/** The body of POST /clusters and PUT /cluster/{id} (SM's Cluster JSON). */
export interface ClusterBody {
  id?: string;
  name?: string;
  labels?: Record<string, string>;
  host?: string;
  port?: number;
  auth_token?: string;
  username?: string;
  password?: string;
  alternator_access_key_id?: string;
  alternator_secret_access_key?: string;
  ssl_user_cert_file?: string;
  ssl_user_key_file?: string;
  without_repair?: boolean;
  force_tls_disabled?: boolean;
  force_non_ssl_session_port?: boolean;
  agent_ca_cert?: string;
  agent_cert_fingerprint?: string;
}

/** `GET /clusters`. */
export async function listClusters(client: ManagerApiClient): Promise<ApiCluster[]> {
  return parseAnswer(v.array(ApiClusterSchema), (await client.request("GET", "/clusters")) ?? [], "list clusters");
}

/** `GET /cluster/{id}`. */
export async function getCluster(client: ManagerApiClient, idOrName: string): Promise<ApiCluster> {
  return parseAnswer(
    ApiClusterSchema,
    await client.request("GET", `/cluster/${encodeURIComponent(idOrName)}`),
    "get cluster",
  );
}

/** `POST /clusters`; resolves with the new cluster's ID (from the Location header). */
export async function createCluster(client: ManagerApiClient, body: ClusterBody): Promise<string> {
  const answer = await client.send("POST", "/clusters", { body });
  const location = answer.headers.location ?? "";
  const id = location.split("/").filter(Boolean).pop();
  if (!id) throw new ManagerError("add cluster: the server answered without a Location header");
  return id;
}

/** `PUT /cluster/{id}`. */
export async function updateCluster(client: ManagerApiClient, id: string, body: ClusterBody): Promise<void> {
  await client.request("PUT", `/cluster/${encodeURIComponent(id)}`, { body });
}

/** `DELETE /cluster/{id}`, or only the named secrets when any flag is set. */
export async function deleteCluster(
  client: ManagerApiClient,
  id: string,
  secrets: { cqlCreds?: boolean; alternatorCreds?: boolean; sslUserCert?: boolean } = {},
): Promise<void> {
  await client.request("DELETE", `/cluster/${encodeURIComponent(id)}`, {
    query: {
      cql_creds: secrets.cqlCreds || undefined,
      alternator_creds: secrets.alternatorCreds || undefined,
      ssl_user_cert: secrets.sslUserCert || undefined,
    },
  });
}
