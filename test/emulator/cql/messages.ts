/** Request body decoding and response body encoding for the CQL messages the node handles. */

import { BodyReader, BodyWriter } from "./codec/buffer.ts";
import { type CqlType, writeTypeOption } from "./codec/types.ts";
import { CqlError, ErrorCode } from "./errors.ts";

/** A bound value: bytes, null, or "unset" (v4 -2 length). */
export type BoundValue = Buffer | null | "unset";

export interface QueryParameters {
  consistency: number;
  values: BoundValue[];
  names?: string[];
  skipMetadata: boolean;
  pageSize?: number;
  pagingState?: Buffer;
  serialConsistency?: number;
  timestamp?: bigint;
}

/** Reads the [query_parameters] of QUERY/EXECUTE (same layout in v3 and v4). */
export function readQueryParameters(r: BodyReader, version: number): QueryParameters {
  const consistency = r.short();
  const flags = r.byte();
  const p: QueryParameters = { consistency, values: [], skipMetadata: (flags & 0x02) !== 0 };
  if (flags & 0x01) {
    const n = r.short();
    const named = (flags & 0x40) !== 0;
    if (named) p.names = [];
    for (let i = 0; i < n; i++) {
      if (named) p.names!.push(r.string());
      p.values.push(readValue(r, version));
    }
  }
  if (flags & 0x04) p.pageSize = r.int();
  if (flags & 0x08) p.pagingState = r.bytes() ?? undefined;
  if (flags & 0x10) p.serialConsistency = r.short();
  if (flags & 0x20) p.timestamp = r.long();
  return p;
}

function readValue(r: BodyReader, version: number): BoundValue {
  const n = r.int();
  if (n === -2 && version >= 4) return "unset";
  if (n < 0) return null;
  return r.raw(n);
}

export interface BatchRequest {
  kind: number;
  statements: Array<{ query?: string; preparedId?: Buffer; values: BoundValue[] }>;
  consistency: number;
}

/** Reads a BATCH body. */
export function readBatch(r: BodyReader, version: number): BatchRequest {
  const kind = r.byte();
  const n = r.short();
  const statements: BatchRequest["statements"] = [];
  for (let i = 0; i < n; i++) {
    const isPrepared = r.byte() === 1;
    const stmt = isPrepared ? { preparedId: r.shortBytes() } : { query: r.longString() };
    const count = r.short();
    const values: BoundValue[] = [];
    for (let j = 0; j < count; j++) values.push(readValue(r, version));
    statements.push({ ...stmt, values });
  }
  return { kind, statements, consistency: r.short() };
}

export interface ColumnSpec {
  keyspace: string;
  table: string;
  name: string;
  type: CqlType;
}

/** ERROR body with the code-specific trailer. */
export function encodeError(err: CqlError): Buffer {
  const w = new BodyWriter().int(err.code).string(err.message);
  if (err.code === ErrorCode.AlreadyExists) w.string(err.extra.keyspace ?? "").string(err.extra.table ?? "");
  if (err.code === ErrorCode.Unprepared) {
    const id = err.extra.preparedId ?? Buffer.alloc(0);
    w.short(id.length).raw(id);
  }
  return w.toBuffer();
}

/** SUPPORTED body: a [string multimap]. */
export function encodeSupported(options: Record<string, string[]>): Buffer {
  return new BodyWriter().stringMultimap(options).toBuffer();
}

function writeColumnSpecs(w: BodyWriter, columns: ColumnSpec[]): void {
  const first = columns[0];
  const global = first !== undefined && columns.every((c) => c.keyspace === first.keyspace && c.table === first.table);
  if (global && first) w.string(first.keyspace).string(first.table);
  for (const c of columns) {
    if (!global) w.string(c.keyspace).string(c.table);
    w.string(c.name);
    writeTypeOption(w, c.type);
  }
}

function metadataFlags(columns: ColumnSpec[]): number {
  const first = columns[0];
  return first !== undefined && columns.every((c) => c.keyspace === first.keyspace && c.table === first.table) ? 1 : 0;
}

/** RESULT Void. */
export function encodeVoidResult(): Buffer {
  return new BodyWriter().int(1).toBuffer();
}

/** RESULT Rows; `pagingState` set means more pages follow; `skipMetadata` honours the request flag. */
export function encodeRowsResult(
  columns: ColumnSpec[],
  rows: Array<Array<Buffer | null>>,
  options: { pagingState?: Buffer; skipMetadata?: boolean } = {},
): Buffer {
  const w = new BodyWriter().int(2);
  let flags = options.skipMetadata ? 0x04 : metadataFlags(columns);
  if (options.pagingState) flags |= 0x02;
  w.int(flags).int(columns.length);
  if (options.pagingState) w.bytes(options.pagingState);
  if (!options.skipMetadata) writeColumnSpecs(w, columns);
  w.int(rows.length);
  for (const row of rows) for (const cell of row) w.bytes(cell);
  return w.toBuffer();
}

/** RESULT Set_keyspace. */
export function encodeSetKeyspace(keyspace: string): Buffer {
  return new BodyWriter().int(3).string(keyspace).toBuffer();
}

/** RESULT Prepared (v4 adds the partition-key indexes). */
export function encodePrepared(
  id: Buffer,
  bindColumns: ColumnSpec[],
  pkIndexes: number[],
  resultColumns: ColumnSpec[],
  version: number,
): Buffer {
  const w = new BodyWriter().int(4).short(id.length).raw(id);
  w.int(metadataFlags(bindColumns)).int(bindColumns.length);
  if (version >= 4) {
    w.int(pkIndexes.length);
    for (const i of pkIndexes) w.short(i);
  }
  writeColumnSpecs(w, bindColumns);
  w.int(metadataFlags(resultColumns)).int(resultColumns.length);
  writeColumnSpecs(w, resultColumns);
  return w.toBuffer();
}

export interface SchemaChangeEvent {
  change: "CREATED" | "UPDATED" | "DROPPED";
  target: "KEYSPACE" | "TABLE" | "TYPE";
  keyspace: string;
  name?: string;
}

function writeSchemaChange(w: BodyWriter, e: SchemaChangeEvent): void {
  w.string(e.change).string(e.target).string(e.keyspace);
  if (e.target !== "KEYSPACE") w.string(e.name ?? "");
}

/** RESULT Schema_change. */
export function encodeSchemaChangeResult(e: SchemaChangeEvent): Buffer {
  const w = new BodyWriter().int(5);
  writeSchemaChange(w, e);
  return w.toBuffer();
}

/** EVENT SCHEMA_CHANGE body. */
export function encodeSchemaChangeEvent(e: SchemaChangeEvent): Buffer {
  const w = new BodyWriter().string("SCHEMA_CHANGE");
  writeSchemaChange(w, e);
  return w.toBuffer();
}

/** EVENT STATUS_CHANGE / TOPOLOGY_CHANGE body; the address is an [inet] (IPv4 here). */
export function encodeNodeEvent(kind: "STATUS_CHANGE" | "TOPOLOGY_CHANGE", change: string, ip: string, port: number) {
  const addr = Buffer.from(ip.split(".").map(Number));
  return new BodyWriter().string(kind).string(change).byte(addr.length).raw(addr).int(port).toBuffer();
}

/** Reads the SASL PLAIN token `authzid \0 user \0 password`. */
export function readPlainCredentials(token: Buffer | null): { username: string; password: string } {
  if (!token) throw new CqlError(ErrorCode.BadCredentials, "Authentication failed: empty token");
  const parts = token.toString("utf8").split("\0");
  if (parts.length !== 3)
    throw new CqlError(ErrorCode.BadCredentials, "Authentication failed: malformed SASL PLAIN token");
  return { username: parts[1] ?? "", password: parts[2] ?? "" };
}

export { BodyReader, BodyWriter };
