/** Recursive-descent parser for the CQL subset the emulated node understands. */

import type { ColumnSpec, PrimaryKeySpec, QualifiedName, Statement, TableOptions } from "./ast.ts";
import { Cursor } from "./cursor.ts";
import { parseDelete, parseInsert, parseSelect, parseUpdate } from "./dml.ts";
import { tokenize } from "./tokenizer.ts";

/** Verbs we recognise but do not implement: they answer a clear error instead of a syntax error. */
const KNOWN_VERBS = new Set(["begin", "grant", "revoke", "list", "batch"]);

/** Parses one statement (a trailing `;` is allowed); the result carries the number of bind markers. */
export function parseStatement(src: string): { statement: Statement; bindCount: number } {
  const c = new Cursor(src, tokenize(src));
  const statement = parseTop(c);
  c.finish();
  return { statement, bindCount: c.bindCount };
}

function parseTop(c: Cursor): Statement {
  const verb = c.peek();
  if (c.accept("select")) return parseSelect(c);
  if (c.accept("use")) return { type: "use", keyspace: c.identifier() };
  if (c.accept("create")) return parseCreate(c);
  if (c.accept("drop")) return parseDrop(c);
  if (c.accept("alter")) return parseAlter(c);
  if (c.accept("describe") || c.accept("desc")) return parseDescribe(c);
  if (c.accept("insert")) return parseInsert(c);
  if (c.accept("update")) return parseUpdate(c);
  if (c.accept("delete")) return parseDelete(c);
  if (c.accept("truncate")) {
    c.accept("table");
    return { type: "truncate", table: c.qualifiedName() };
  }
  if (verb.kind === "ident" && KNOWN_VERBS.has(verb.text)) {
    while (c.peek().kind !== "eof") c.next();
    return { type: "unsupported", verb: verb.text.toUpperCase() };
  }
  throw c.unexpected();
}

function parseCreate(c: Cursor): Statement {
  if (c.accept("keyspace") || c.accept("schema")) {
    const ifNotExists = c.ifNotExists();
    const name = c.identifier();
    c.expect("with");
    return { type: "createKeyspace", name, ifNotExists, properties: c.properties() };
  }
  if (c.accept("table") || c.accept("columnfamily")) return parseCreateTable(c);
  if (c.accept("type")) {
    const ifNotExists = c.ifNotExists();
    const name = c.qualifiedName();
    c.expect("(");
    const fields = [];
    do fields.push({ name: c.identifier(), type: c.type() });
    while (c.accept(","));
    c.expect(")");
    return { type: "createType", name, ifNotExists, fields };
  }
  if (c.acceptAll("materialized", "view")) return parseCreateView(c);
  const custom = c.accept("custom");
  if (c.accept("index")) return parseCreateIndex(c, custom);
  throw c.unexpected("expecting KEYSPACE, TABLE, TYPE, INDEX or MATERIALIZED VIEW");
}

function parseCreateTable(c: Cursor): Statement {
  const ifNotExists = c.ifNotExists();
  const table = c.qualifiedName();
  c.expect("(");
  const columns: ColumnSpec[] = [];
  let primaryKey: PrimaryKeySpec | undefined;
  do {
    if (c.acceptAll("primary", "key")) {
      if (primaryKey) throw c.unexpected("multiple PRIMARY KEY definitions");
      primaryKey = parsePrimaryKey(c);
      continue;
    }
    const name = c.identifier();
    const type = c.type();
    const isStatic = c.accept("static");
    columns.push({ name, type, isStatic });
    if (c.acceptAll("primary", "key")) {
      if (primaryKey) throw c.unexpected("multiple PRIMARY KEY definitions");
      primaryKey = { partition: [name], clustering: [] };
    }
  } while (c.accept(","));
  c.expect(")");
  const options = c.accept("with") ? parseTableOptions(c) : emptyOptions();
  if (!primaryKey) throw c.unexpected("no PRIMARY KEY specified");
  return { type: "createTable", table, ifNotExists, columns, primaryKey, options };
}

function parsePrimaryKey(c: Cursor): PrimaryKeySpec {
  c.expect("(");
  const partition: string[] = [];
  if (c.accept("(")) {
    do partition.push(c.identifier());
    while (c.accept(","));
    c.expect(")");
  } else partition.push(c.identifier());
  const clustering: string[] = [];
  while (c.accept(",")) clustering.push(c.identifier());
  c.expect(")");
  return { partition, clustering };
}

function emptyOptions(): TableOptions {
  return { properties: {}, clusteringOrder: [], compactStorage: false };
}

function parseTableOptions(c: Cursor): TableOptions {
  const out = emptyOptions();
  do {
    if (c.acceptAll("clustering", "order", "by")) {
      c.expect("(");
      do {
        const column = c.identifier();
        const order = c.accept("desc") ? "desc" : "asc";
        if (order === "asc") c.accept("asc");
        out.clusteringOrder.push({ column, order });
      } while (c.accept(","));
      c.expect(")");
    } else if (c.acceptAll("compact", "storage")) out.compactStorage = true;
    else {
      const key = c.identifier().toLowerCase();
      c.expect("=");
      out.properties[key] = c.propertyValue();
    }
  } while (c.accept("and"));
  return out;
}

function parseCreateIndex(c: Cursor, custom: boolean): Statement {
  const ifNotExists = c.ifNotExists();
  const name = c.is("on") ? undefined : c.identifier();
  c.expect("on");
  const table = c.qualifiedName();
  c.expect("(");
  let target: "values" | "keys" | "entries" | "full" | "plain" = "plain";
  let column: string;
  const wrapper = c.peek().text;
  if (["values", "keys", "entries", "full"].includes(wrapper) && c.is("(", 1)) {
    c.next();
    c.expect("(");
    column = c.identifier();
    c.expect(")");
    target = wrapper as typeof target;
  } else column = c.identifier();
  c.expect(")");
  let using: string | undefined;
  if (c.accept("using")) using = String(c.propertyValue());
  if (c.accept("with")) c.properties();
  if (custom && !using) throw c.unexpected("CUSTOM index requires a USING class");
  return { type: "createIndex", name, table, ifNotExists, column, target, custom: using };
}

function parseCreateView(c: Cursor): Statement {
  const ifNotExists = c.ifNotExists();
  const view = c.qualifiedName();
  c.expect("as");
  c.expect("select");
  let columns: "*" | string[];
  if (c.accept("*")) columns = "*";
  else {
    columns = [];
    do columns.push(c.identifier());
    while (c.accept(","));
  }
  c.expect("from");
  const base: QualifiedName = c.qualifiedName();
  c.expect("where");
  const whereStart = c.peek().start;
  while (!(c.is("primary") && c.is("key", 1)) && c.peek().kind !== "eof") c.next();
  const whereClause = c.sliceFrom(whereStart);
  c.expect("primary");
  c.expect("key");
  const primaryKey = parsePrimaryKey(c);
  const options = c.accept("with") ? parseTableOptions(c) : emptyOptions();
  return { type: "createView", view, ifNotExists, columns, base, whereClause, primaryKey, options };
}

function parseDrop(c: Cursor): Statement {
  let what: "keyspace" | "table" | "index" | "view" | "type";
  if (c.accept("keyspace") || c.accept("schema")) what = "keyspace";
  else if (c.accept("table") || c.accept("columnfamily")) what = "table";
  else if (c.accept("index")) what = "index";
  else if (c.acceptAll("materialized", "view")) what = "view";
  else if (c.accept("type")) what = "type";
  else throw c.unexpected("expecting KEYSPACE, TABLE, INDEX, MATERIALIZED VIEW or TYPE");
  const ifExists = c.ifExists();
  const name = what === "keyspace" ? { name: c.identifier() } : c.qualifiedName();
  return { type: "drop", what, name, ifExists };
}

function parseAlter(c: Cursor): Statement {
  if (c.accept("keyspace") || c.accept("schema")) {
    const name = c.identifier();
    c.expect("with");
    return { type: "alterKeyspace", name, properties: c.properties() };
  }
  const isView = c.acceptAll("materialized", "view");
  if (!isView) c.expect("table");
  const name = c.qualifiedName();
  if (!c.accept("with")) {
    const verb = c.peek().text.toUpperCase();
    while (c.peek().kind !== "eof") c.next();
    return { type: "unsupported", verb: `ALTER TABLE ... ${verb}` };
  }
  const properties = c.properties();
  return isView ? { type: "alterView", view: name, properties } : { type: "alterTable", table: name, properties };
}

function parseDescribe(c: Cursor): Statement {
  const full = c.accept("full");
  if (c.accept("schema")) {
    const internals = c.acceptAll("with", "internals");
    return { type: "describe", what: "schema", internals: internals || full };
  }
  if (c.accept("keyspaces")) return { type: "describe", what: "keyspaces", internals: false };
  if (c.accept("tables")) return { type: "describe", what: "tables", internals: false };
  if (c.accept("keyspace")) {
    const internals = false;
    return { type: "describe", what: "keyspace", name: { name: c.identifier() }, internals };
  }
  if (c.accept("table") || c.accept("columnfamily")) {
    return { type: "describe", what: "table", name: c.qualifiedName(), internals: false };
  }
  throw c.unexpected("expecting SCHEMA, KEYSPACES, TABLES, KEYSPACE or TABLE");
}
