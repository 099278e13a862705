/** WITH-clause validation for tables, views and keyspaces, with Scylla's wording. */

import type { KeyspaceDef } from "../schema/types.ts";
import { CqlError, ErrorCode } from "./errors.ts";
import type { PropertyValue } from "./parser/ast.ts";

const TABLE_OPTIONS = new Set([
  "bloom_filter_fp_chance",
  "caching",
  "comment",
  "compaction",
  "compression",
  "crc_check_chance",
  "dclocal_read_repair_chance",
  "default_time_to_live",
  "gc_grace_seconds",
  "max_index_interval",
  "memtable_flush_period_in_ms",
  "min_index_interval",
  "read_repair_chance",
  "speculative_retry",
  "paxos_grace_seconds",
  "synchronous_updates",
  "id",
]);
const EXTENSIONS = new Set(["tombstone_gc", "cdc"]);
const TOMBSTONE_GC_MODES = new Set(["timeout", "repair", "disabled", "immediate"]);

function unknownProperty(name: string): CqlError {
  return new CqlError(ErrorCode.Syntax, `Unknown property '${name}'`);
}

/** Splits table properties into system_schema.tables options and extensions (tombstone_gc, cdc). */
export function tableProperties(props: Record<string, PropertyValue>): {
  options: Record<string, unknown>;
  extensions: Record<string, string>;
  id?: string;
} {
  const options: Record<string, unknown> = {};
  const extensions: Record<string, string> = {};
  let id: string | undefined;
  for (const [key, value] of Object.entries(props)) {
    if (EXTENSIONS.has(key)) {
      if (typeof value !== "object")
        throw new CqlError(ErrorCode.Syntax, `Invalid value for property '${key}': expected a map`);
      extensions[key] = key === "tombstone_gc" ? tombstoneGc(value) : serialiseMap(value);
    } else if (!TABLE_OPTIONS.has(key)) throw unknownProperty(key);
    else if (key === "id") id = String(value);
    else options[key] = value;
  }
  return { options, extensions, id };
}

function serialiseMap(m: Record<string, string>): string {
  return `{${Object.entries(m)
    .map(([k, v]) => `'${k}':'${v}'`)
    .join(",")}}`;
}

function tombstoneGc(m: Record<string, string>): string {
  const mode = m.mode ?? "timeout";
  if (!TOMBSTONE_GC_MODES.has(mode)) throw new CqlError(ErrorCode.Config, `Invalid tombstone_gc mode: ${mode}`);
  for (const k of Object.keys(m)) {
    if (k !== "mode" && k !== "propagation_delay_in_seconds")
      throw new CqlError(ErrorCode.Config, `Invalid tombstone_gc option: ${k}`);
  }
  return serialiseMap({ mode, propagation_delay_in_seconds: m.propagation_delay_in_seconds ?? "3600" });
}

/** CREATE KEYSPACE properties → replication, durable_writes, tablets. */
export function keyspaceProperties(
  name: string,
  props: Record<string, PropertyValue>,
  tabletsByDefault: boolean,
): Omit<KeyspaceDef, "system"> {
  if (!/^\w{1,48}$/.test(name)) {
    throw new CqlError(
      ErrorCode.Invalid,
      `Keyspace name must not be empty, more than 48 characters long, or contain non-alphanumeric-underscore characters (got "${name}")`,
    );
  }
  let replication: Record<string, string> | undefined;
  let durableWrites = true;
  let tablets = tabletsByDefault;
  let initialTablets: number | undefined;
  for (const [key, value] of Object.entries(props)) {
    if (key === "replication") {
      if (typeof value !== "object")
        throw new CqlError(ErrorCode.Syntax, "Invalid value for property 'replication': expected a map");
      replication = value;
    } else if (key === "durable_writes") durableWrites = String(value) === "true";
    else if (key === "tablets") {
      if (typeof value !== "object")
        throw new CqlError(ErrorCode.Syntax, "Invalid value for property 'tablets': expected a map");
      tablets = String(value.enabled ?? "true") === "true";
      if (value.initial !== undefined) initialTablets = Number(value.initial);
    } else if (key !== "storage") throw unknownProperty(key);
  }
  if (!replication?.class) throw new CqlError(ErrorCode.Config, "Missing mandatory replication strategy class");
  // Scylla only defaults NetworkTopologyStrategy keyspaces to tablets; other strategies stay on vnodes.
  if (!("tablets" in props) && !/NetworkTopologyStrategy$/i.test(replication.class)) tablets = false;
  const def: Omit<KeyspaceDef, "system"> = {
    name,
    replication: replication as KeyspaceDef["replication"],
    durableWrites,
    tablets,
  };
  if (initialTablets !== undefined) def.initialTablets = initialTablets;
  return def;
}
