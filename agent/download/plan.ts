/**
 * What `download-files` prints: the node listing of `--list-nodes` (SM's `NodeInfoSlice.WriteTo`), the plan of
 * `--dry-run` (SM's `pkg/downloader/plan.go`), the tokens of `--dump-tokens` and the indented manifest JSON of
 * `--dump-manifest` (Go's `json.Encoder` with a two-space indent).
 * @module
 */
import { isAbsolute, join, resolve } from "node:path";
import { type Manifest, manifestJson, snapshotTagTime } from "../../src/backup/layout/index.ts";
import { formatGoUtcTime, formatSizeSuffix } from "../offline/format.ts";
import type { NodeInfo } from "./lookup.ts";

/** How the downloaded tables are laid out under the data dir (SM's `TableDirMode`). */
export type TableDirMode = "" | "upload" | "sstableloader";

/** Removal of every file directly in `dir` (relative to the data dir). */
export interface ClearAction {
  keyspace: string;
  table: string;
  dir: string;
}

/** Download of a table's files into `dir` (relative to the data dir). */
export interface DownloadAction {
  keyspace: string;
  table: string;
  size: number;
  dir: string;
}

/** The dry-run plan. */
export interface Plan {
  clear: ClearAction[];
  download: DownloadAction[];
}

/** The directory a table's files go to, relative to the data dir. */
export function tableDir(mode: TableDirMode, keyspace: string, table: string, version: string): string {
  if (mode === "sstableloader") return `${keyspace}/${table}`;
  const dir = `${keyspace}/${table}-${version}`;
  return mode === "upload" ? `${dir}/upload` : dir;
}

/** `--list-nodes`: nodes grouped by cluster (a blank line between clusters), then DC. */
export function formatNodes(nodes: readonly NodeInfo[]): string {
  let out = "";
  let lastCluster: string | undefined;
  let lastDc = "";
  nodes.forEach((n, i) => {
    if (n.clusterId !== lastCluster) {
      if (i > 0) out += "\n";
      out += n.clusterName === "" ? `Cluster: ${n.clusterId}\n` : `Cluster: ${n.clusterName} (${n.clusterId})\n`;
      lastCluster = n.clusterId;
      lastDc = "";
    }
    if (n.dc !== lastDc) {
      out += `${n.dc}:\n`;
      lastDc = n.dc;
    }
    out += `  - ${n.ip} (${n.nodeId})\n`;
  });
  return out;
}

/**
 * `--dry-run`: the node, snapshot time and size, then what would be cleared and downloaded. With `baseDir` (the
 * `-d` flag) directories are printed as absolute paths under it.
 */
export function formatPlan(manifest: Manifest, plan: Plan, baseDir: string | undefined): string {
  const lines: string[] = [];
  lines.push(
    manifest.cluster_name === ""
      ? `Cluster:\t${manifest.cluster_id}`
      : `Cluster:\t${manifest.cluster_name} (${manifest.cluster_id})`,
  );
  lines.push(`Datacenter:\t${manifest.dc}`);
  lines.push(manifest.ip === "" ? `Node:\t\t${manifest.node_id}` : `Node:\t\t${manifest.ip} (${manifest.node_id})`);
  lines.push(`Time:\t\t${formatGoUtcTime(snapshotTagTime(manifest.snapshot_tag))}`);
  lines.push(`Size:\t\t${formatSizeSuffix(plan.download.reduce((sum, a) => sum + a.size, 0))}`);
  const where = (dir: string) => {
    if (baseDir === undefined || baseDir === "") return dir;
    const joined = join(baseDir, dir);
    return isAbsolute(joined) ? joined : resolve(joined);
  };
  if (plan.clear.length > 0) {
    lines.push("", "Clear:");
    for (const a of plan.clear) lines.push(`  - ${a.keyspace}.${a.table} at ${where(a.dir)}`);
  }
  if (plan.download.length > 0) {
    lines.push("", "Download:");
    for (const a of plan.download) {
      lines.push(`  - ${a.keyspace}.${a.table} (${formatSizeSuffix(a.size)}) to ${where(a.dir)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** `--dump-tokens`: the node's tokens, comma-separated, on one line. */
export function formatTokens(manifest: Manifest): string {
  return `${(manifest.tokens ?? []).join(",")}\n`;
}

/** `--dump-manifest`: the manifest as SM's JSON, indented by two spaces, with a trailing newline. */
export function formatManifestJson(manifest: Manifest): string {
  return `${indentJson(manifestJson(manifest).trimEnd())}\n`;
}

/**
 * Indents compact JSON as Go's `json.Indent(dst, src, "", "  ")`: token text kept as is (int64 tokens keep every
 * digit), empty objects and arrays stay `{}`/`[]`, `": "` after keys.
 */
export function indentJson(compact: string): string {
  let out = "";
  let depth = 0;
  let inString = false;
  const newline = () => `\n${"  ".repeat(depth)}`;
  for (let i = 0; i < compact.length; i++) {
    const c = compact[i] as string;
    if (inString) {
      out += c;
      if (c === "\\") out += compact[++i] ?? "";
      else if (c === '"') inString = false;
      continue;
    }
    switch (c) {
      case '"':
        inString = true;
        out += c;
        break;
      case "{":
      case "[": {
        const close = c === "{" ? "}" : "]";
        if (compact[i + 1] === close) {
          out += c + close;
          i++;
        } else {
          depth++;
          out += c + newline();
        }
        break;
      }
      case "}":
      case "]":
        depth--;
        out += newline() + c;
        break;
      case ",":
        out += `,${newline()}`;
        break;
      case ":":
        out += ": ";
        break;
      default:
        if (c !== " " && c !== "\n" && c !== "\t" && c !== "\r") out += c;
    }
  }
  return out;
}
