/**
 * Validates real answers against the served API document (`buildOpenApiDocument()`, swagger 2.0) with ajv (JSON
 * Schema draft-04, which swagger 2.0 schemas are a dialect of): `x-nullable` becomes "or null", and the operation is
 * found by matching the concrete request path against the document's path templates.
 * @module
 */
import Ajv from "ajv-draft-04";
import { buildOpenApiDocument } from "../../src/server/openapi/document.ts";

type Schema = Record<string, unknown>;

/** swagger's `x-nullable: true` → draft-04 `anyOf: [schema, {type: null}]`, recursively. */
export function swaggerToDraft04(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(swaggerToDraft04);
  if (node === null || typeof node !== "object") return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node as Schema)) {
    if (key === "x-nullable") continue;
    out[key] = key === "properties" || key === "definitions" ? mapValues(value as Schema) : swaggerToDraft04(value);
  }
  return (node as Schema)["x-nullable"] === true ? { anyOf: [out, { type: "null" }] } : out;
}

function mapValues(record: Schema): Schema {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, swaggerToDraft04(value)]));
}

interface Doc {
  basePath: string;
  paths: Record<string, Record<string, { responses: Record<string, { schema?: Schema }> }>>;
  definitions: Schema;
}

/** The document's path template that `path` (with or without /api/v1, no query) matches; literal segments win. */
export function matchTemplate(templates: readonly string[], path: string): string | undefined {
  const parts = path.split("/");
  const score = (template: string): number => {
    const segments = template.split("/");
    if (segments.length !== parts.length) return -1;
    let literal = 0;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i] as string;
      if (segment.startsWith("{")) continue;
      if (segment !== parts[i]) return -1;
      literal++;
    }
    return literal;
  };
  let best: string | undefined;
  let bestScore = -1;
  for (const template of templates) {
    const s = score(template);
    if (s > bestScore) [best, bestScore] = [template, s];
  }
  return best;
}

/** A validator of answers by (method, request path, status); each call returns "" when valid, else why not. */
export function createServedDocValidator(): (method: string, path: string, status: number, body: unknown) => string {
  const doc = buildOpenApiDocument() as unknown as Doc;
  const ajv = new Ajv({ strict: false, allErrors: true });
  for (const format of ["uuid", "date-time"]) ajv.addFormat(format, true);
  ajv.addSchema({ id: "served", definitions: swaggerToDraft04(doc.definitions) }, "served");
  const rewrite = (schema: unknown): unknown =>
    JSON.parse(JSON.stringify(swaggerToDraft04(schema)).replaceAll('"#/definitions/', '"served#/definitions/'));
  return (method, path, status, body) => {
    const local = path.split("?")[0]?.replace(/^\/api\/v1/, "") ?? "";
    const template = matchTemplate(Object.keys(doc.paths), local);
    const operation = template ? doc.paths[template]?.[method.toLowerCase()] : undefined;
    if (!template || !operation) return `${method} ${local}: not in the served document`;
    const answer = operation.responses[String(status)] ?? operation.responses.default;
    if (!answer) return `${method} ${template}: status ${status} not documented`;
    if (!answer.schema)
      return body === undefined || body === "" ? "" : `${method} ${template} ${status}: no body documented`;
    const validate = ajv.compile(rewrite(answer.schema) as object);
    return validate(body) ? "" : `${method} ${template} ${status}: ${ajv.errorsText(validate.errors)}`;
  };
}
