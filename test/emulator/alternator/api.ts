/** The slice of the DynamoDB JSON API an emulated Alternator answers (SM's health ping and table listing). */

import type { CqlNodeView } from "../cql/node-view.ts";

export interface ApiAnswer {
  status: number;
  body: unknown;
}

const PREFIX = "DynamoDB_20120810.";
/** Alternator keeps each table in its own keyspace named `alternator_<table>`. */
const KS_PREFIX = "alternator_";
const SYSTEM_TABLES = ".scylla.alternator.system_schema.tables";

function error(type: string, message: string, status = 400): ApiAnswer {
  return { status, body: { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message } };
}

/** Dispatches one DynamoDB operation. */
export function answerDynamo(
  node: CqlNodeView,
  target: string | undefined,
  payload: Record<string, unknown>,
): ApiAnswer {
  if (!target?.startsWith(PREFIX))
    return error("UnknownOperationException", "Missing or malformed X-Amz-Target header");
  const op = target.slice(PREFIX.length);
  const tables = () =>
    node.schema
      .tables()
      .filter((t) => t.keyspace.startsWith(KS_PREFIX) && t.keyspace === `${KS_PREFIX}${t.name}`)
      .map((t) => t.name);
  switch (op) {
    case "ListTables": {
      const names = tables().sort();
      const limit = typeof payload.Limit === "number" ? payload.Limit : 100;
      const start =
        typeof payload.ExclusiveStartTableName === "string" ? names.indexOf(payload.ExclusiveStartTableName) + 1 : 0;
      const page = names.slice(start, start + limit);
      const body: Record<string, unknown> = { TableNames: page };
      if (start + limit < names.length && page.length > 0) body.LastEvaluatedTableName = page[page.length - 1];
      return { status: 200, body };
    }
    case "Scan": {
      const table = String(payload.TableName ?? "");
      if (table === SYSTEM_TABLES) return scanSystemTables(node, payload);
      if (!tables().includes(table))
        return error("ResourceNotFoundException", `Requested resource not found: Table: ${table} not found`);
      return { status: 200, body: { Items: [], Count: 0, ScannedCount: 0 } };
    }
    case "DescribeTable": {
      const table = String(payload.TableName ?? "");
      if (!tables().includes(table))
        return error("ResourceNotFoundException", `Requested resource not found: Table: ${table} not found`);
      return { status: 200, body: { Table: { TableName: table, TableStatus: "ACTIVE" } } };
    }
    default:
      return error("UnknownOperationException", `Unsupported operation ${op}`);
  }
}

function scanSystemTables(node: CqlNodeView, payload: Record<string, unknown>): ApiAnswer {
  const rows = node.schema.tables().map((t) => ({ keyspace_name: { S: t.keyspace }, table_name: { S: t.name } }));
  const limit = typeof payload.Limit === "number" && payload.Limit > 0 ? payload.Limit : rows.length;
  const items = rows.slice(0, limit);
  const body: Record<string, unknown> = { Items: items, Count: items.length, ScannedCount: items.length };
  const last = items[items.length - 1];
  if (items.length < rows.length && last) body.LastEvaluatedKey = last;
  return { status: 200, body };
}
