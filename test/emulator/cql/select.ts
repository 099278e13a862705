/** SELECT over the node's virtual tables: column selection, key restrictions, LIMIT and paging. */

import { newTimeUuid } from "../../../src/util/uuid.ts";
import { type CqlType, decodeValue, encodeValue, parseType } from "./codec/types.ts";
import { CqlError, ErrorCode } from "./errors.ts";
import type { BoundValue, ColumnSpec } from "./messages.ts";
import type { Relation, SelectStatement, Term } from "./parser/ast.ts";
import type { VirtualTable } from "./tables/table.ts";

const FILTERING_MESSAGE =
  "Cannot execute this query as it might involve data filtering and thus may have unpredictable performance. " +
  "If you want to execute this query despite the performance unpredictability, use ALLOW FILTERING";

type Output = { spec: ColumnSpec; value: (row: Record<string, unknown>) => unknown };

export interface SelectPlan {
  columns: ColumnSpec[];
  /** One entry per bind marker, in marker order. */
  bindColumns: ColumnSpec[];
  /** Bind positions of partition key columns (for token-aware drivers). */
  pkIndexes: number[];
  execute(values: BoundValue[], page: { pageSize?: number; pagingState?: Buffer }): SelectResult;
}

export interface SelectResult {
  rows: Array<Array<Buffer | null>>;
  pagingState?: Buffer;
}

/** Plans a SELECT against a table; validation errors are thrown at prepare time, as Scylla does. */
export function planSelect(stmt: SelectStatement, table: VirtualTable): SelectPlan {
  if (stmt.json) throw new CqlError(ErrorCode.Invalid, "SELECT JSON is not supported on this table");
  const types = new Map(table.columns.map((c) => [c.name, parseType(c.type)]));
  const spec = (name: string, type: CqlType): ColumnSpec => ({
    keyspace: table.keyspace,
    table: table.name,
    name,
    type,
  });
  const typeOf = (name: string, clause: string): CqlType => {
    const t = types.get(name);
    if (!t) throw new CqlError(ErrorCode.Invalid, `Undefined name ${name} in ${clause} clause`);
    return t;
  };

  const outputs: Output[] = [];
  let aggregate = false;
  if (stmt.selectors === "*") {
    const keyOrder = [...table.partitionKey, ...table.clusteringKey];
    const regular = table.columns
      .map((c) => c.name)
      .filter((n) => !keyOrder.includes(n))
      .sort();
    for (const name of [...keyOrder, ...regular])
      outputs.push({ spec: spec(name, typeOf(name, "selection")), value: (r) => r[name] });
  } else {
    for (const sel of stmt.selectors) {
      if (sel.kind === "column") {
        const t = typeOf(sel.name, "selection");
        outputs.push({ spec: spec(sel.alias ?? sel.name, t), value: (r) => r[sel.name] });
      } else if ((sel.fn === "now" || sel.fn === "currenttimeuuid") && sel.args.length === 0) {
        outputs.push({
          spec: spec(sel.alias ?? `system.${sel.fn}()`, { kind: "native", name: "timeuuid" }),
          value: () => newTimeUuid(),
        });
      } else if (sel.fn === "uuid" && sel.args.length === 0) {
        outputs.push({
          spec: spec(sel.alias ?? "system.uuid()", { kind: "native", name: "uuid" }),
          value: () => crypto.randomUUID(),
        });
      } else if (sel.fn === "count" && sel.args.length === 1) {
        const arg = sel.args[0]!;
        const counted = arg.kind === "column" && arg.name !== "*" ? arg.name : undefined;
        if (counted) typeOf(counted, "selection");
        else if (!(arg.kind === "column" || (arg.kind === "literal" && arg.value === "1"))) {
          throw new CqlError(ErrorCode.Invalid, "Invalid argument to count()");
        }
        aggregate = true;
        outputs.push({
          spec: spec(sel.alias ?? (counted ? `system.count(${counted})` : "count"), { kind: "native", name: "bigint" }),
          // Evaluated over all matching rows below; a null column value is not counted.
          value: (r) => (counted ? (r[counted] === null || r[counted] === undefined ? 0 : 1) : 1),
        });
      } else {
        throw new CqlError(ErrorCode.Invalid, `Unknown function ${sel.fn} called in selection clause`);
      }
    }
  }

  const bindColumns: ColumnSpec[] = [];
  const pkIndexes: number[] = [];
  const noteBinds = (term: Term, column: string, t: CqlType) => {
    if (term.kind === "bind") {
      bindColumns[term.index] = spec(term.name ?? column, t);
      if (table.partitionKey.includes(column)) pkIndexes.push(term.index);
    }
    if (term.kind === "list") for (const item of term.items) noteBinds(item, column, t);
  };
  for (const rel of stmt.where) {
    const t = typeOf(rel.column, "where");
    if (rel.op === "IN" && rel.value.kind === "bind")
      noteBinds(rel.value, `in(${rel.column})`, { kind: "list", element: t, frozen: false });
    else noteBinds(rel.value, rel.column, t);
  }
  if (stmt.limit?.kind === "bind") bindColumns[stmt.limit.index] = spec("[limit]", { kind: "native", name: "int" });
  if (!stmt.allowFiltering) checkRestrictions(stmt.where, table);

  return {
    columns: outputs.map((o) => o.spec),
    bindColumns,
    pkIndexes,
    execute(values, page) {
      const resolve = (term: Term, t: CqlType): unknown => evaluate(term, t, values);
      let rows = table
        .rows()
        .filter((row) => stmt.where.every((rel) => matches(row, rel, types.get(rel.column)!, resolve)));
      if (stmt.limit) {
        const limit = Number(resolve(stmt.limit, { kind: "native", name: "int" }));
        if (!(limit > 0)) throw new CqlError(ErrorCode.Invalid, "LIMIT must be strictly positive");
        rows = rows.slice(0, limit);
      }
      if (aggregate) {
        if (outputs.some((o) => !o.spec.name.includes("count"))) {
          throw new CqlError(
            ErrorCode.Invalid,
            "Only aggregates may be selected together with count() by this emulated node",
          );
        }
        const counts = outputs.map((o) => rows.reduce((n, r) => n + Number(o.value(r)), 0));
        return { rows: [outputs.map((o, i) => encodeValue(o.spec.type, counts[i]))] };
      }
      let encoded = rows.map((row) => outputs.map((o) => encodeValue(o.spec.type, o.value(row))));
      if (stmt.distinct) {
        const seen = new Set<string>();
        encoded = encoded.filter((r) => {
          const k = r.map((c) => c?.toString("hex") ?? "-").join("|");
          if (seen.has(k)) return false;
          seen.add(k);
          return true;
        });
      }
      const offset = page.pagingState && page.pagingState.length >= 4 ? page.pagingState.readUInt32BE(0) : 0;
      const size = page.pageSize && page.pageSize > 0 ? page.pageSize : Number.POSITIVE_INFINITY;
      const slice = encoded.slice(offset, offset + size);
      if (offset + size >= encoded.length) return { rows: slice };
      const state = Buffer.alloc(4);
      state.writeUInt32BE(offset + size);
      return { rows: slice, pagingState: state };
    },
  };
}

/** Scylla refuses restrictions that would scan and filter unless ALLOW FILTERING is given. */
function checkRestrictions(where: Relation[], table: VirtualTable): void {
  if (where.length === 0) return;
  const restricted = new Map(where.map((r) => [r.column, r.op]));
  const keyed = (op: string | undefined) => op === "=" || op === "IN";
  const pkOk = table.partitionKey.every((c) => keyed(restricted.get(c)));
  const nonKey = where.some((r) => !table.partitionKey.includes(r.column) && !table.clusteringKey.includes(r.column));
  let prefixOk = true;
  let gap = false;
  for (const c of table.clusteringKey) {
    const op = restricted.get(c);
    if (op === undefined) gap = true;
    else if (gap) prefixOk = false;
    else if (!keyed(op)) gap = true;
  }
  if (!pkOk || nonKey || !prefixOk) throw new CqlError(ErrorCode.Invalid, FILTERING_MESSAGE);
}

function evaluate(term: Term, t: CqlType, values: BoundValue[]): unknown {
  switch (term.kind) {
    case "bind": {
      const v = values[term.index];
      if (v === undefined)
        throw new CqlError(
          ErrorCode.Invalid,
          `There were ${values.length} markers(?) in CQL but ${term.index + 1} bound variables`,
        );
      if (v === "unset")
        throw new CqlError(ErrorCode.Invalid, `Invalid unset value for column ${term.name ?? ""}`.trim());
      return decodeValue(t, v);
    }
    case "literal":
      if (term.type === "null") return null;
      if (term.type === "number") return Number(term.value);
      if (term.type === "boolean") return term.value === "true";
      if (term.type === "blob") return Buffer.from(term.value, "hex");
      return term.value;
    case "list":
    case "set":
      return term.items.map((i) => evaluate(i, t.kind === "list" || t.kind === "set" ? t.element : t, values));
    default:
      throw new CqlError(ErrorCode.Invalid, "Unsupported term in where clause");
  }
}

function comparable(v: unknown): string | number {
  if (typeof v === "number" || typeof v === "bigint") return Number(v);
  if (Buffer.isBuffer(v)) return v.toString("hex");
  if (typeof v === "string") return /^[0-9a-f-]{36}$/i.test(v) ? v.toLowerCase() : v;
  return String(v);
}

function matches(
  row: Record<string, unknown>,
  rel: Relation,
  t: CqlType,
  resolve: (term: Term, t: CqlType) => unknown,
): boolean {
  const actual = comparable(row[rel.column]);
  if (rel.op === "IN") {
    const list = resolve(rel.value, { kind: "list", element: t, frozen: false }) as unknown[];
    return list.some((v) => comparable(v) === actual);
  }
  if (rel.op === "CONTAINS" || rel.op === "CONTAINS KEY") {
    const want = comparable(
      resolve(
        rel.value,
        t.kind === "map"
          ? rel.op === "CONTAINS"
            ? t.value
            : t.key
          : t.kind === "list" || t.kind === "set"
            ? t.element
            : t,
      ),
    );
    const cell = row[rel.column];
    if (Array.isArray(cell)) return cell.some((v) => comparable(v) === want);
    if (cell && typeof cell === "object") {
      const entries = Object.entries(cell as Record<string, unknown>);
      return entries.some(([k, v]) => comparable(rel.op === "CONTAINS" ? v : k) === want);
    }
    return false;
  }
  const want = comparable(resolve(rel.value, t));
  switch (rel.op) {
    case "=":
      return actual === want;
    case "!=":
      return actual !== want;
    case "<":
      return actual < want;
    case ">":
      return actual > want;
    case "<=":
      return actual <= want;
    case ">=":
      return actual >= want;
  }
}
