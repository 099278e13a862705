/**
 * The table and size formatting of the cluster/status commands, on A2's shared output helpers.
 * @module
 */
import { formatSize } from "../output/format.ts";
import { renderTable, useAsciiTables } from "../output/table.ts";

/** SM's box table (ASCII when SCTOOL_ASCII_TABLES is set in `env`). */
export function drawTable(
  header: string[],
  rows: string[][],
  env: Record<string, string | undefined> = process.env,
): string {
  return renderTable({ header, rows, ascii: useAsciiTables(env) });
}

/** Binary size as SM's sctool prints it (`15.433GiB`). */
export function formatBytes(bytes: number): string {
  return formatSize(bytes);
}
