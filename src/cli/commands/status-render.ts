/**
 * `sctool status` rendering (SM's `ClusterStatus.Render` in `v3/pkg/managerclient/model.go`): one table per DC in array
 * order, an Alternator column (in every table) only when a node of the cluster reports Alternator, then that DC's `Errors:` block.
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

// hashicorp/go-version's grammar (which SM's version.Short parses with): segments, pre-release, metadata.
const GO_VERSION =
  /^v?([0-9]+(?:\.[0-9]+)*?)(?:-[0-9]+[0-9A-Za-z\-~]*(?:\.[0-9A-Za-z\-~]+)*|-?[A-Za-z\-~]+[0-9A-Za-z\-~]*(?:\.[0-9A-Za-z\-~]+)*)?(?:\+[0-9A-Za-z\-~]+(?:\.[0-9A-Za-z\-~]+)*)?$/;

/**
 * SM's `version.Short`: the numeric segments of a version (at least 3, zero-padded, leading zeros dropped), or the
 * string itself when it is not a version (`666.development` stays as is).
 */
export function shortVersion(version: string): string {
  const segments = GO_VERSION.exec(version)?.[1]
    ?.split(".")
    .map((part) => String(Number.parseInt(part, 10)));
  if (!segments) return version;
  while (segments.length < 3) segments.push("0");
  return segments.join(".");
}

/** Go's `%.0f`: exact halves round to even (2.5 → 2, 3.5 → 4). */
function formatRttMs(rtt: number): string {
  const floor = Math.floor(rtt);
  const fraction = rtt - floor;
  if (fraction > 0.5 || (fraction === 0.5 && floor % 2 === 1)) return String(floor + 1);
  return String(floor);
}

function pingCell(status: string | undefined, rtt: number | undefined, ssl: boolean): string {
  if (!status) return "-";
  return `${status}${ssl ? " SSL" : ""} (${formatRttMs(rtt ?? 0)}ms)`;
}

function renderDc(
  dc: string,
  nodes: StatusRow[],
  withAlternator: boolean,
  table: TableRenderer,
  size: SizeFormatter,
): string {
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
  // SM decides the Alternator column once for the whole cluster, so every DC's table has the same columns.
  const withAlternator = statuses.some((node) => (node.alternator_status ?? "") !== "");
  let out = "";
  let start = 0;
  for (let i = 1; i <= statuses.length; i++) {
    if (i === statuses.length || statuses[i]?.dc !== statuses[start]?.dc) {
      out += renderDc(statuses[start]?.dc ?? "", statuses.slice(start, i), withAlternator, table, size);
      start = i;
    }
  }
  return out;
}
