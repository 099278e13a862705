/**
 * rc call parameters: the JSON body merged over the query (SM's `pkg/rclone/rcserver`), with rclone's typed getters and
 * its wording for missing keys (`Didn't find key "fs" in input`).
 * @module
 */
import { INPUT_LIMITS, jsonDepthExceeds } from "../../src/util/input-limits.ts";
import { badParam } from "./errors.ts";

/** Typed access to one call's input. */
export class Params {
  readonly input: Record<string, unknown>;

  constructor(input: Record<string, unknown>) {
    this.input = input;
  }

  has(key: string): boolean {
    return this.input[key] !== undefined && this.input[key] !== null;
  }

  /** A required string. */
  string(key: string): string {
    const value = this.input[key];
    if (value === undefined || value === null) throw badParam(`Didn't find key "${key}" in input`);
    if (typeof value !== "string") throw badParam(`key "${key}": expected a string, got ${JSON.stringify(value)}`);
    return value;
  }

  /** An optional string ("" when absent). */
  optionalString(key: string, fallback = ""): string {
    return this.has(key) ? this.string(key) : fallback;
  }

  /** An optional boolean; query values arrive as "true"/"false". */
  bool(key: string, fallback = false): boolean {
    const value = this.input[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value === "boolean") return value;
    if (typeof value === "string" && /^(true|false|1|0)$/i.test(value)) return /^(true|1)$/i.test(value);
    throw badParam(`key "${key}": expected a boolean, got ${JSON.stringify(value)}`);
  }

  /** An optional integer; query values arrive as strings. */
  int(key: string): number | undefined {
    const value = this.input[key];
    if (value === undefined || value === null) return undefined;
    const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
    if (typeof n !== "number" || !Number.isInteger(n))
      throw badParam(`key "${key}": expected an integer, got ${JSON.stringify(value)}`);
    return n;
  }

  /** A required integer. */
  requiredInt(key: string): number {
    const n = this.int(key);
    if (n === undefined) throw badParam(`Didn't find key "${key}" in input`);
    return n;
  }

  /** A list of strings (absent = []). */
  strings(key: string): string[] {
    const value = this.input[key];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
      throw badParam(`key "${key}": expected a list of strings`);
    }
    return value as string[];
  }

  /** A nested object (absent = {}). */
  object(key: string): Params {
    const value = this.input[key];
    if (value === undefined || value === null) return new Params({});
    if (typeof value !== "object" || Array.isArray(value)) throw badParam(`key "${key}": expected an object`);
    return new Params(value as Record<string, unknown>);
  }
}

/** Largest JSON body SM's rc server reads (`bodySizeLimit`). */
export const BODY_SIZE_LIMIT = 1024 * 1024;

/** Query parameters as an object (the last value wins for repeated keys). */
export function queryParams(url: URL): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of url.searchParams) out[key] = value;
  return out;
}

/**
 * Reads at most `limit` bytes of a body; more is a 400. SM's rc server wraps the body in Go's MaxBytesReader and
 * answers a failed JSON decode with 400, so an oversized body is a bad request there too (not 413).
 */
export async function readLimitedText(request: Request, limit = BODY_SIZE_LIMIT): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit) throw badParam(`failed to read input JSON: request body too large: over ${limit} bytes`);
  if (request.body === null) return "";
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of request.body) {
    total += chunk.byteLength;
    if (total > limit) throw badParam(`failed to read input JSON: request body too large: over ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Parses the input of a call: the JSON (or form) body merged over the query. */
export async function readInput(request: Request, url: URL, rawBody: boolean): Promise<Record<string, unknown>> {
  const input = queryParams(url);
  if (rawBody) return input;
  const type = (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  const text = await readLimitedText(request);
  if (type === "application/x-www-form-urlencoded") {
    for (const [key, value] of new URLSearchParams(text)) input[key] = value;
    return input;
  }
  if (text.trim() === "") return input;
  if (jsonDepthExceeds(text)) {
    throw badParam(`failed to read input JSON: exceeded max depth of ${INPUT_LIMITS.jsonDepth} nested levels`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    // The runtime's message may quote a token of the input: keep it short.
    const reason = (error as Error).message.replace(/^JSON Parse error: /, "").slice(0, 80);
    throw badParam(`failed to read input JSON: ${reason}`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badParam("failed to read input JSON: the body must be a JSON object");
  }
  return { ...input, ...(body as Record<string, unknown>) };
}
