/**
 * The `--nodes-mapping` file of `sctool restore 1-1-restore` (SM's `pkg/command/one2onerestore/nodesmapping.go`):
 * one line per node, `<source_dc>:<source_rack>:<source_host_id>=<target_dc>:<target_rack>:<target_host_id>`,
 * parts trimmed. Errors are SM's.
 * @module
 */
import { ValidationError } from "../../errors.ts";
import type { MappedNode, NodeMapping } from "./model.ts";

function parseNode(text: string): MappedNode {
  const parts = text.split(":");
  if (parts.length !== 3) throw new ValidationError("invalid node format, must be <dc>:<rack>:<host_id>");
  const [dc, rack, hostId] = parts.map((p) => p.trim()) as [string, string, string];
  return { dc, rack, host_id: hostId };
}

/** Parses the file's text (every line, blank ones included, must be a mapping — as SM reads it). */
export function parseNodesMapping(text: string): NodeMapping[] {
  const lines = text.split(/\r?\n/);
  // A trailing newline ends the last line; it does not start an empty one.
  if (lines.at(-1) === "") lines.pop();
  return lines.map((line) => {
    const sides = line.split("=");
    if (sides.length !== 2) throw new ValidationError("source and target mappings must be split by '='");
    return { source: parseNode(sides[0] as string), target: parseNode(sides[1] as string) };
  });
}

/** The file text for a mapping (the inverse of {@link parseNodesMapping}). */
export function formatNodesMapping(mapping: readonly NodeMapping[]): string {
  const node = (n: MappedNode) => `${n.dc}:${n.rack}:${n.host_id}`;
  return mapping.map((m) => `${node(m.source)}=${node(m.target)}\n`).join("");
}
