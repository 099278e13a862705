/** Turns valibot issues into messages that name the file and key, for config errors. */
import type * as v from "valibot";
import { hasPath } from "./merge.ts";

/** One parsed config source: a file (or a label such as "environment") and its values. */
export interface FileLayer {
  file: string;
  values: Record<string, unknown>;
}

type Issue = v.BaseIssue<unknown>;

/** `a.b.c`, or `(top level)` for the empty path. */
export function formatKeyPath(path: readonly string[]): string {
  return path.length === 0 ? "(top level)" : path.join(".");
}

/**
 * The file responsible for the issue at `path`: the last layer that sets the key (its value won the merge).
 * When no layer sets it (a required key is missing), every file is named.
 */
export function resolveIssueFile(layers: readonly FileLayer[], path: readonly string[], _issue: Issue): string {
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i];
    if (layer && hasPath(layer.values, path)) return layer.file;
  }
  if (layers.length === 0) return "(defaults)";
  return layers.map((l) => l.file).join(", ");
}

/** A short description of the problem, e.g. `unknown key (valid keys: a, b)` or `expected number, got "x"`. */
export function describeIssue(schema: unknown, issue: Issue, path: readonly string[]): string {
  if (
    issue.kind === "schema" &&
    (issue.type === "strict_object" || issue.type === "object") &&
    issue.expected === "never"
  ) {
    const keys = listObjectKeys(schema, path.slice(0, -1));
    return keys.length > 0 ? `unknown key (valid keys here: ${keys.join(", ")})` : "unknown key";
  }
  if (issue.kind === "schema") {
    return `wrong type: expected ${issue.expected ?? "another type"}, got ${issue.received}`;
  }
  return issue.message;
}

/** The keys an object schema at `path` accepts (optional/pipe wrappers are looked through). */
export function listObjectKeys(schema: unknown, path: readonly string[]): string[] {
  let node = unwrap(schema);
  for (const key of path) {
    const entries = entriesOf(node);
    if (!entries) return [];
    node = unwrap(entries[key]);
  }
  const entries = entriesOf(node);
  return entries ? Object.keys(entries).sort() : [];
}

function entriesOf(schema: unknown): Record<string, unknown> | undefined {
  if (typeof schema !== "object" || schema === null) return undefined;
  const entries = (schema as { entries?: unknown }).entries;
  return typeof entries === "object" && entries !== null ? (entries as Record<string, unknown>) : undefined;
}

function unwrap(schema: unknown): unknown {
  let node = schema;
  for (let depth = 0; depth < 10 && typeof node === "object" && node !== null; depth++) {
    const s = node as { wrapped?: unknown; pipe?: unknown[]; entries?: unknown };
    if (s.entries !== undefined) return node;
    if (s.wrapped !== undefined) node = s.wrapped;
    else if (Array.isArray(s.pipe) && s.pipe.length > 0) node = s.pipe[0];
    else return node;
  }
  return node;
}
