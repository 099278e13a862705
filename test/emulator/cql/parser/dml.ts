/** DML grammar: SELECT, INSERT, UPDATE, DELETE (with their WHERE relations and USING clauses). */

import { CqlError, ErrorCode } from "../errors.ts";
import type { Relation, Selector, SelectStatement, Statement, Term } from "./ast.ts";
import type { Cursor } from "./cursor.ts";

export function parseInsert(c: Cursor): Statement {
  c.expect("into");
  const table = c.qualifiedName();
  if (c.is("json")) {
    while (c.peek().kind !== "eof") c.next();
    return { type: "unsupported", verb: "INSERT JSON" };
  }
  c.expect("(");
  const columns: string[] = [];
  do columns.push(c.identifier());
  while (c.accept(","));
  c.expect(")");
  c.expect("values");
  c.expect("(");
  const values: Term[] = [];
  do values.push(c.term());
  while (c.accept(","));
  c.expect(")");
  const ifNotExists = c.ifNotExists();
  skipUsing(c);
  if (columns.length !== values.length) throw c.unexpected("unmatched column names/values");
  return { type: "insert", table, columns, values, ifNotExists };
}

/**
 * Scylla's `USING` clause of INSERT, UPDATE and DELETE: `TTL`, `TIMESTAMP` and Scylla's own `TIMEOUT <duration>`
 * joined by AND. The emulator applies none of them (writes are immediate; nothing expires).
 */
function skipUsing(c: Cursor): void {
  if (!c.accept("using")) return;
  do {
    if (c.accept("timeout")) skipDuration(c);
    else {
      if (!c.accept("ttl")) c.expect("timestamp");
      c.term();
    }
  } while (c.accept("and"));
}

/** A CQL duration literal (`500ms`, `1h30m`, `2d`), as written after `USING TIMEOUT`. */
const DURATION = /^(\d+(y|mo|w|d|h|m|s|ms|us|µs|ns))+$/i;

function skipDuration(c: Cursor): void {
  const first = c.peek();
  if (first.kind !== "number") throw c.unexpected("expecting a duration");
  let end = first.end;
  c.next();
  // The tokenizer splits `1h30m` into 1, h30m: glue the adjacent tokens back together.
  while (c.peek().start === end && (c.peek().kind === "ident" || c.peek().kind === "number")) end = c.next().end;
  const text = c.src.slice(first.start, end);
  if (!DURATION.test(text)) throw new CqlError(ErrorCode.Invalid, `Unable to convert '${text}' to a duration`);
}

function parseWhere(c: Cursor): Relation[] {
  c.expect("where");
  const where: Relation[] = [];
  do where.push(parseRelation(c));
  while (c.accept("and"));
  if (c.is("if"))
    throw new CqlError(ErrorCode.Invalid, "Conditional updates (IF ...) are not supported by this emulated node");
  return where;
}

export function parseUpdate(c: Cursor): Statement {
  const table = c.qualifiedName();
  skipUsing(c);
  c.expect("set");
  const assignments: Array<{ column: string; value: Term }> = [];
  do {
    const column = c.identifier();
    c.expect("=");
    assignments.push({ column, value: c.term() });
  } while (c.accept(","));
  return { type: "update", table, assignments, where: parseWhere(c) };
}

export function parseDelete(c: Cursor): Statement {
  const columns: string[] = [];
  if (!c.is("from")) {
    do columns.push(c.identifier());
    while (c.accept(","));
  }
  c.expect("from");
  const table = c.qualifiedName();
  skipUsing(c);
  return { type: "delete", table, columns, where: parseWhere(c) };
}

export function parseSelect(c: Cursor): SelectStatement {
  const json = c.accept("json");
  const distinct = c.accept("distinct");
  let selectors: "*" | Selector[];
  if (c.accept("*")) selectors = "*";
  else {
    selectors = [];
    do selectors.push(parseSelector(c));
    while (c.accept(","));
  }
  c.expect("from");
  const table = c.qualifiedName();
  const where: Relation[] = [];
  if (c.accept("where")) {
    do where.push(parseRelation(c));
    while (c.accept("and"));
  }
  if (c.acceptAll("order", "by")) {
    do {
      c.identifier();
      if (!c.accept("asc")) c.accept("desc");
    } while (c.accept(","));
  }
  const limit = c.accept("limit") ? c.term() : undefined;
  const allowFiltering = c.acceptAll("allow", "filtering");
  c.acceptAll("bypass", "cache");
  // Scylla's SELECT takes only `USING TIMEOUT <duration>` (the emulator answers at once, so it only parses it).
  if (c.accept("using")) {
    c.expect("timeout");
    skipDuration(c);
  }
  return { type: "select", table, selectors, json, distinct, where, limit, allowFiltering };
}

function parseSelector(c: Cursor): Selector {
  const start = c.peek().start;
  let sel: Selector;
  if (c.peek().kind === "ident" && c.is("(", 1)) {
    const fn = c.next().text;
    c.expect("(");
    const args = [];
    if (!c.accept(")")) {
      do args.push(selectorArg(c));
      while (c.accept(","));
      c.expect(")");
    }
    sel = { kind: "call", fn, args, text: c.sliceFrom(start).toLowerCase() };
  } else sel = { kind: "column", name: c.identifier() };
  if (c.accept("as")) sel.alias = c.identifier();
  return sel;
}

function selectorArg(c: Cursor): Term {
  const t = c.peek();
  const isColumn =
    (t.kind === "ident" && !["true", "false", "null"].includes(t.text) && !c.is("(", 1)) || t.kind === "qident";
  if (c.accept("*")) return { kind: "column", name: "*" };
  return isColumn ? { kind: "column", name: c.identifier() } : c.term();
}

function parseRelation(c: Cursor): Relation {
  const column = c.identifier();
  if (c.accept("in")) return { column, op: "IN", value: c.is("(") ? parseTuple(c) : c.term() };
  if (c.accept("contains")) return { column, op: c.accept("key") ? "CONTAINS KEY" : "CONTAINS", value: c.term() };
  const op = c.next().text;
  if (!["=", "<", ">", "<=", ">=", "!="].includes(op)) throw c.unexpected("expecting a relation operator");
  return { column, op: op as Relation["op"], value: c.term() };
}

function parseTuple(c: Cursor) {
  c.expect("(");
  const items = [];
  if (!c.accept(")")) {
    do items.push(c.term());
    while (c.accept(","));
    c.expect(")");
  }
  return { kind: "list" as const, items };
}
