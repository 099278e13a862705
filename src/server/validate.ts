/**
 * Request input through valibot schemas; any failure is SM's 400 `malformed request: ...`.
 * @module
 */
import type { Context } from "hono";
import * as v from "valibot";
import { ValidationError } from "../errors.ts";

function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .map((issue) => {
      const where = issue.path?.map((item) => String(item.key)).join(".");
      return where ? `${where}: ${issue.message}` : issue.message;
    })
    .join("; ");
}

function parseWith<TSchema extends v.GenericSchema>(schema: TSchema, input: unknown): v.InferOutput<TSchema> {
  const parsed = v.safeParse(schema, input);
  if (!parsed.success) throw new ValidationError(`malformed request: ${describeIssues(parsed.issues)}`);
  return parsed.output;
}

/**
 * Reads the JSON body and validates it. An empty body reads as `{}` (SM's handlers treat a missing body as zero values).
 * @throws ValidationError (400) on bad JSON or a schema failure.
 */
export async function parseJsonBody<TSchema extends v.GenericSchema>(
  c: Context,
  schema: TSchema,
): Promise<v.InferOutput<TSchema>> {
  const text = await c.req.text();
  let body: unknown = {};
  if (text.trim() !== "") {
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw new ValidationError(`malformed request: invalid JSON body: ${(error as Error).message}`);
    }
  }
  return parseWith(schema, body);
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
