/**
 * Request input through valibot schemas; any failure is SM's 400 `malformed request: ...`.
 *
 * Bodies are read as Go's JSON decoder reads them in SM's handlers: valid UTF-8 only, no byte-order mark, no empty
 * or whitespace-only body (`malformed request: EOF`), nesting at most `INPUT_LIMITS.jsonDepth` deep. The body size is
 * bounded before this (the listener and the app's body limit); field sizes are the schemas' business: build them
 * from `src/util/input-limits.ts`.
 * @module
 */
import type { Context } from "hono";
import * as v from "valibot";
import { ValidationError } from "../errors.ts";
import { INPUT_LIMITS, jsonDepthExceeds } from "../util/input-limits.ts";

function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => {
      const keys = issue.path?.map((item) => String(item.key).slice(0, 64)) ?? [];
      // The input-limits blocks name their field themselves.
      const named = keys[0] !== undefined && issue.message.startsWith(keys[0]);
      return keys.length > 0 && !named ? `${keys.join(".")}: ${issue.message}` : issue.message;
    })
    .join("; ");
}

function parseWith<TSchema extends v.GenericSchema>(schema: TSchema, input: unknown): v.InferOutput<TSchema> {
  const parsed = v.safeParse(schema, input);
  if (!parsed.success) throw new ValidationError(`malformed request: ${describeIssues(parsed.issues)}`);
  return parsed.output;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The body as text; invalid UTF-8 is refused (Go's decoder would silently replace it inside strings only). */
async function readBodyText(c: Context): Promise<string> {
  // The listener's GET-body hand-over fills Hono's text cache (see routes/tasks.ts).
  const cached = c.req.bodyCache.text as string | Promise<string> | undefined;
  if (cached !== undefined) return await cached;
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ValidationError("malformed request: the body is not valid UTF-8");
  }
}

/** Parses JSON text as SM's handlers' decoder accepts it. @throws ValidationError (400). */
export function parseJsonText(text: string): unknown {
  if (text.charCodeAt(0) === 0xfeff) {
    throw new ValidationError("malformed request: invalid character 'ï' looking for beginning of value", {
      hint: "send the JSON without a byte-order mark",
    });
  }
  if (text.trim() === "") throw new ValidationError("malformed request: EOF", { hint: "send a JSON body" });
  if (jsonDepthExceeds(text, INPUT_LIMITS.jsonDepth)) {
    throw new ValidationError(
      `malformed request: exceeded max depth: JSON nested deeper than ${INPUT_LIMITS.jsonDepth} levels`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    // The runtime's message may quote a token of the input: keep it short.
    const reason = (error as Error).message.replace(/^JSON Parse error: /, "").slice(0, 80);
    throw new ValidationError(`malformed request: invalid JSON body: ${reason}`);
  }
}

/**
 * Reads the JSON body and validates it.
 * @throws ValidationError (400) on an empty body, bad UTF-8, a BOM, bad or too deep JSON, or a schema failure.
 */
export async function parseJsonBody<TSchema extends v.GenericSchema>(
  c: Context,
  schema: TSchema,
): Promise<v.InferOutput<TSchema>> {
  return parseWith(schema, parseJsonText(await readBodyText(c)));
}

/**
 * Validates the query string. Each key maps to its value, or to an array of values when repeated; csv splitting
 * (swagger's `collectionFormat: csv`) is the schema's business.
 * @throws ValidationError (400) on a schema failure.
 */
export function parseQuery<TSchema extends v.GenericSchema>(c: Context, schema: TSchema): v.InferOutput<TSchema> {
  const query: Record<string, string | string[]> = {};
  for (const [key, values] of Object.entries(c.req.queries())) {
    query[key] = values.length === 1 ? (values[0] ?? "") : values;
  }
  return parseWith(schema, query);
}
