/**
 * The table and size formatting the cluster/status commands use.
 * @module
 */

const BOX = { tl: "╭", tm: "┬", tr: "╮", ml: "├", mm: "┼", mr: "┤", bl: "╰", bm: "┴", br: "╯", h: "─", v: "│" };
const ASCII = { tl: "+", tm: "+", tr: "+", ml: "+", mm: "+", mr: "+", bl: "+", bm: "+", br: "+", h: "-", v: "|" };

/** SM's box table (ASCII with SCTOOL_ASCII_TABLES set). */
export function drawTable(
  header: string[],
  rows: string[][],
  env: Record<string, string | undefined> = process.env,
): string {
  const c = env.SCTOOL_ASCII_TABLES ? ASCII : BOX;
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (l: string, m: string, r: string) => `${l}${widths.map((w) => c.h.repeat(w + 2)).join(m)}${r}\n`;
  const row = (cells: string[]) => `${c.v}${widths.map((w, i) => ` ${(cells[i] ?? "").padEnd(w)} `).join(c.v)}${c.v}\n`;
  return `${line(c.tl, c.tm, c.tr)}${row(header)}${line(c.ml, c.mm, c.mr)}${rows.map(row).join("")}${line(c.bl, c.bm, c.br)}`;
}

/** Binary size: integer when whole, else `%.3f` (`1.500GiB`), as SM's sctool. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(3)}${units[unit]}`;
}
