/**
 * `sctool cluster list` table and the `cluster add` banner (SM's `pkg/command/cluster/`). Pure.
 * @module
 */
import type { TableRenderer } from "./status-render.ts";

/** A cluster as `GET /clusters` returns it (the fields the renderer reads). */
export interface ClusterRow {
  id: string;
  name?: string;
  labels?: Record<string, string> | null;
  port?: number;
  username?: string;
  alternator_access_key_id?: string;
}

/** `ID | Name | Labels | Port | Credentials`; port `default` when unset, credentials `CQL`, `Alternator`. */
export function renderClusterList(clusters: ClusterRow[], table: TableRenderer): string {
  const rows = clusters.map((cluster) => {
    const credentials = [
      ...(cluster.username === "set" ? ["CQL"] : []),
      ...(cluster.alternator_access_key_id === "set" ? ["Alternator"] : []),
    ];
    const labels = Object.entries(cluster.labels ?? {})
      .map(([key, value]) => `${key}=${value}`)
      .join(", ");
    return [
      cluster.id,
      cluster.name ?? "",
      labels,
      cluster.port ? String(cluster.port) : "default",
      credentials.join(", "),
    ];
  });
  return table(["ID", "Name", "Labels", "Port", "Credentials"], rows);
}

/** What `cluster add` knows when it prints its banner. */
export interface AddedCluster {
  id: string;
  name: string;
  authToken: string;
  forceTlsDisabled: boolean;
  forceNonSslSessionPort: boolean;
}

/** The stderr text of `cluster add`: warnings, the clipper banner, and the no-token warning. */
export function renderClusterAddBanner(cluster: AddedCluster): string {
  const lines: string[] = [];
  if (cluster.forceTlsDisabled) {
    lines.push(
      "WARNING! TLS is explicitly disabled for this cluster's CQL sessions, even if TLS is enabled in scylla.yaml.",
    );
  }
  if (cluster.forceNonSslSessionPort) {
    lines.push("WARNING! Cluster session is going to always use non SSL port, even for TLS-enabled clusters.");
  }
  const name = cluster.name === "" ? cluster.id : /\s/.test(cluster.name) ? JSON.stringify(cluster.name) : cluster.name;
  lines.push(
    " __  ",
    "/  \\     Cluster added! You can set it as default, by exporting its name or ID as env variable:",
    `@  @     $ export SCYLLA_MANAGER_CLUSTER=${cluster.id}`,
    `|  |     $ export SCYLLA_MANAGER_CLUSTER=${name}`,
    "|| |/",
    "|| ||    Now run:",
    `|\\_/|    $ sctool status -c ${name}`,
    `\\___/    $ sctool tasks -c ${name}`,
  );
  if (cluster.authToken === "") {
    lines.push(
      "",
      "WARNING! Scylla data may be exposed",
      "Protect it by specifying auth_token in /etc/scylla-manager-agent/scylla-manager-agent.yaml on Scylla nodes",
    );
  }
  return `${lines.join("\n")}\n`;
}
