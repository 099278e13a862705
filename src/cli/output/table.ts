/**
 * SM's sctool tables: UTF-8 box drawing (`╭─┬╮│├┼┤╰┴╯`), or ASCII `+-|` when SCTOOL_ASCII_TABLES is non-empty.
 * @module
 */

/** A row of cells, or a separator line (`├───┼───┤`). */
export type TableRow = readonly string[] | typeof SEPARATOR;

/** Marks a separator row. */
export const SEPARATOR: unique symbol = Symbol("separator");

export type Align = "left" | "right";

export interface TableOptions {
  /** Header cells; a separator follows them. */
  header?: readonly string[];
  rows: readonly TableRow[];
  /** Per-column alignment; default left. */
  align?: readonly Align[];
  /** Per-column maximum width; longer cells are cut with `…`. */
  maxWidth?: readonly (number | undefined)[];
  /** ASCII instead of box drawing. Default: SCTOOL_ASCII_TABLES is non-empty. */
  ascii?: boolean;
}

interface Frame {
  h: string;
  v: string;
  top: [string, string, string];
  mid: [string, string, string];
  bottom: [string, string, string];
}

const BOX: Frame = { h: "─", v: "│", top: ["╭", "┬", "╮"], mid: ["├", "┼", "┤"], bottom: ["╰", "┴", "╯"] };
const ASCII: Frame = { h: "-", v: "|", top: ["+", "+", "+"], mid: ["+", "+", "+"], bottom: ["+", "+", "+"] };

/** Display width (code points; sctool output is plain text without wide characters). */
function width(text: string): number {
  return [...text].length;
}

function cut(text: string, max: number | undefined): string {
  if (max === undefined || width(text) <= max) return text;
  return `${[...text].slice(0, Math.max(0, max - 1)).join("")}…`;
}

/** Whether tables are ASCII for `env` (SCTOOL_ASCII_TABLES non-empty). */
export function useAsciiTables(env: Record<string, string | undefined> = process.env): boolean {
  return (env.SCTOOL_ASCII_TABLES ?? "") !== "";
}

/**
 * Renders a table, each line ending in `\n`. Cells may hold several lines (`\n`): the row grows to fit them.
 * Missing cells render empty.
 */
export function renderTable(options: TableOptions): string {
  // SM's table prints nothing at all, not even the header, when it has no rows.
  if (options.rows.length === 0) return "";
  const frame = (options.ascii ?? useAsciiTables()) ? ASCII : BOX;
  const lines = (row: readonly string[]) =>
    row.map((cell, i) => cell.split("\n").map((l) => cut(l, options.maxWidth?.[i])));
  const header = options.header ? lines(options.header) : undefined;
  const body = options.rows.map((row) => (row === SEPARATOR ? SEPARATOR : lines(row)));
  const columns = Math.max(header?.length ?? 0, ...body.map((row) => (row === SEPARATOR ? 0 : row.length)));
  const widths = Array.from({ length: columns }, () => 0);
  for (const row of header ? [header, ...body] : body) {
    if (row === SEPARATOR) continue;
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, ...cell.map(width));
    });
  }
  const rule = ([left, join, right]: [string, string, string]) =>
    `${left}${widths.map((w) => frame.h.repeat(w + 2)).join(join)}${right}\n`;
  const renderRow = (row: string[][]) => {
    const height = Math.max(1, ...row.map((cell) => cell.length));
    let out = "";
    for (let line = 0; line < height; line++) {
      const cells = widths.map((w, i) => {
        const text = row[i]?.[line] ?? "";
        const pad = " ".repeat(w - width(text));
        return options.align?.[i] === "right" ? `${pad}${text}` : `${text}${pad}`;
      });
      out += `${frame.v} ${cells.join(` ${frame.v} `)} ${frame.v}\n`;
    }
    return out;
  };
  let out = rule(frame.top);
  if (header) out += renderRow(header) + rule(frame.mid);
  for (const row of body) out += row === SEPARATOR ? rule(frame.mid) : renderRow(row);
  return out + rule(frame.bottom);
}
