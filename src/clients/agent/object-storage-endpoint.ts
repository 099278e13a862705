/**
 * Which of Scylla's `object_storage_endpoints` (from the agent's node_info) names the object store the agent's own
 * provider config uses: the endpoint a native backup or restore call (`endpoint=`) must name. SM's
 * `ScyllaObjectStorageEndpoint` / `EqualObjectStorageEndpoints`: for s3 the agent's endpoint, or
 * `s3.<region>.amazonaws.com` from its region, without scheme, port and IPv6 brackets, against the entry's name.
 * For gcs (beyond that SM version, which knew s3 alone) an entry of Scylla's type `gs`: the one whose name is the
 * agent's gcs endpoint when the agent sets one, else the first. Pure.
 * @module
 */
import type { NodeInfo } from "./node-info.ts";

/** The endpoint's name, or why there is none. */
export type ObjectStorageEndpointMatch = { ok: true; endpoint: string } | { ok: false; reason: string };

type ScyllaEndpoint = NonNullable<NodeInfo["object_storage_endpoints"]>[string];

const trimBrackets = (s: string) => s.replace(/^\[/, "").replace(/\]$/, "");

/** An IPv6 literal in canonical form (zero runs and case folded); undefined for anything else. */
function canonicalIpv6(text: string): string | undefined {
  if (!text.includes(":")) return undefined;
  try {
    return new URL(`http://[${text}]/`).hostname;
  } catch {
    return undefined;
  }
}

/** Whether an agent endpoint (URL or host) and a Scylla entry name the same server. */
function sameServer(agentEndpoint: string, scylla: ScyllaEndpoint): boolean {
  let name = agentEndpoint;
  const scheme = scylla.use_https ? "https" : "http";
  if (name.startsWith(`${scheme}://`)) name = name.slice(scheme.length + 3);
  if (name.endsWith(`:${scylla.port}`)) name = name.slice(0, -`:${scylla.port}`.length);
  name = trimBrackets(name);
  const scyllaName = trimBrackets(scylla.name);
  if (name === scyllaName) return true;
  const a = canonicalIpv6(name);
  return a !== undefined && a === canonicalIpv6(scyllaName);
}

/** Whether the agent's s3 endpoint and a Scylla `object_storage_endpoints` entry name the same server. */
export function sameS3Endpoint(agent: { endpoint: string; region: string }, scylla: ScyllaEndpoint): boolean {
  if (agent.endpoint !== "") return sameServer(agent.endpoint, scylla);
  if (agent.region === "") return false;
  return sameServer(`s3.${agent.region}.amazonaws.com`, scylla);
}

const mismatch = (provider: string): ObjectStorageEndpointMatch => ({
  ok: false,
  reason:
    "scylla and scylla-manager-agent backup configurations don't match. Please make sure that the same endpoint " +
    `is set in both \`scylla-manager-agent.yaml\` ${provider} config and in \`scylla.yaml\` object_storage_endpoints config`,
});

/** The name of the node's object storage endpoint for `provider` (s3 or gcs). */
export function scyllaObjectStorageEndpoint(info: NodeInfo, provider: string): ObjectStorageEndpointMatch {
  if (provider !== "s3" && provider !== "gcs") {
    return { ok: false, reason: `unsupported provider ${provider} for native Scylla backup and restore` };
  }
  const endpoints = Object.entries(info.object_storage_endpoints ?? {}).map(([key, e]) => ({
    ...e,
    name: e.name || key,
  }));
  if (endpoints.length === 0) return { ok: false, reason: "no object storage endpoint configured" };
  if (provider === "s3") {
    const hit = endpoints.find((e) => e.type !== "gs" && sameS3Endpoint(info.rclone_backend_config.s3, e));
    return hit ? { ok: true, endpoint: hit.name } : mismatch(provider);
  }
  const agentEndpoint = info.rclone_backend_config.gcs.endpoint;
  const hit = endpoints.find((e) => e.type === "gs" && (agentEndpoint === "" || sameServer(agentEndpoint, e)));
  return hit ? { ok: true, endpoint: hit.name } : mismatch(provider);
}
