/**
 * `sctool status` rendering (SM's `ClusterStatus.Render`, reference/sm-surface.md §3.4): one table per DC in array
 * order, an Alternator column only when a node reports Alternator, then that DC's `Errors:` block.
 * Pure: the table drawing is injected (A2's `renderTable`).
 * @module
 */
import { formatGoDuration } from "../../util/duration.ts";

/** A node status as the API returns it (the fields the renderer reads). */
export interface StatusRow {
  dc: string;
  host_id: string;
  host: string;
  status: string;
  ssl?: boolean;
  alternator_status?: string;
  alternator_rtt_ms?: number;
  alternator_cause?: string;
  cql_status?: string;
  cql_rtt_ms?: number;
  cql_cause?: string;
  rest_status?: string;
  rest_rtt_ms?: number;
  rest_cause?: string;
  total_ram?: number;
  uptime?: number;
  cpu_count?: number;
  scylla_version?: string;
  agent_version?: string;
}

/** Draws a table from a header and rows. */
export type TableRenderer = (header: string[], rows: string[][]) => string;
/** Formats a size in bytes (binary units). */
export type SizeFormatter = (bytes: number) => string;

/** SM's `version.Short`: the leading numeric `X.Y.Z` of a version string, or the string itself. */
export function shortVersion(version: string): string {
  const match = /^\d+(\.\d+)*/.exec(version);
  return match ? match[0] : version;
}

function pingCell(status: string | undefined, rtt: number | undefined, ssl: boolean): string {
  if (!status) return "-";
  return `${status}${ssl ? " SSL" : ""} (${Math.round(rtt ?? 0)}ms)`;
}

function renderDc(dc: string, nodes: StatusRow[], table: TableRenderer, size: SizeFormatter): string {
  const withAlternator = nodes.some((node) => (node.alternator_status ?? "") !== "");
  const header = [
    "",
    ...(withAlternator ? ["Alternator"] : []),
    "CQL",
    "REST",
    "Address",
    "Uptime",
    "CPUs",
    "Memory",
    "Scylla",
    "Agent",
    "Host ID",
  ];
  const rows = nodes.map((node) => [
    node.status,
    ...(withAlternator ? [pingCell(node.alternator_status, node.alternator_rtt_ms, node.ssl ?? false)] : []),
    pingCell(node.cql_status, node.cql_rtt_ms, node.ssl ?? false),
    pingCell(node.rest_status, node.rest_rtt_ms, false),
    node.host,
    node.uptime ? formatGoDuration(node.uptime * 1000) : "-",
    node.cpu_count ? String(node.cpu_count) : "-",
    node.total_ram ? size(node.total_ram) : "-",
    node.scylla_version ? shortVersion(node.scylla_version) : "-",
    node.agent_version ? shortVersion(node.agent_version) : "-",
    node.host_id,
  ]);
  const errors: string[] = [];
  for (const node of nodes) {
    if (node.alternator_cause) errors.push(`- ${node.host} Alternator: ${node.alternator_cause}`);
    if (node.cql_cause) errors.push(`- ${node.host} CQL: ${node.cql_cause}`);
    if (node.rest_cause) errors.push(`- ${node.host} REST: ${node.rest_cause}`);
  }
  const tableText = table(header, rows);
  let out = `Datacenter: ${dc}\n${tableText}${tableText.endsWith("\n") ? "" : "\n"}`;
  if (errors.length > 0) out += `Errors:\n${errors.join("\n")}\n\n`;
  return out;
}

/** Renders the status of one cluster: a table per DC (a new one whenever the DC changes in array order). */
export function renderClusterStatus(statuses: StatusRow[], table: TableRenderer, size: SizeFormatter): string {
  let out = "";
  let start = 0;
  for (let i = 1; i <= statuses.length; i++) {
    if (i === statuses.length || statuses[i]?.dc !== statuses[start]?.dc) {
      out += renderDc(statuses[start]?.dc ?? "", statuses.slice(start, i), table, size);
      start = i;
    }
  }
  return out;
}
