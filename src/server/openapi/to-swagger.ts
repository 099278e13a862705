/**
 * valibot schema → swagger 2.0 schema object, through @valibot/to-json-schema (its OpenAPI 3.0 dialect, the closest
 * to swagger 2.0), then rewritten where swagger 2.0 differs: `nullable` becomes `x-nullable`, references point into
 * `#/definitions/`, and an empty `required` list is dropped (swagger 2.0 requires at least one item).
 *
 * Only what JSON Schema can say is converted: the type, nesting, integer/length/range actions, picklists and
 * `v.description`. Custom checks (`v.check`, `v.custom`) and transforms are skipped (`errorMode: "ignore"`), and a
 * pipe is described by its last schema (`typeMode: "output"`): the request schemas start with `v.unknown()` or a
 * JSON-object check and end with the object they accept.
 * @module
 */
import { type ConversionConfig, toJsonSchema, toJsonSchemaDefs } from "@valibot/to-json-schema";
import type * as v from "valibot";

/** A swagger 2.0 schema object (or a fragment of one). */
export type SwaggerSchema = Record<string, unknown>;

/** Named schemas, emitted once under `definitions` and referenced by name. */
export type NamedSchemas = Record<string, v.GenericSchema>;

function config(definitions: NamedSchemas): ConversionConfig {
  return { target: "openapi-3.0", typeMode: "output", errorMode: "ignore", definitions };
}

/** Rewrites one converted JSON schema (recursively) into swagger 2.0's dialect. */
function toSwaggerDialect(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toSwaggerDialect);
  if (node === null || typeof node !== "object") return node;
  const out: SwaggerSchema = {};
  for (const [key, value] of Object.entries(node as SwaggerSchema)) {
    if (key === "$defs" || key === "$schema") continue;
    if (key === "nullable") out["x-nullable"] = value;
    else if (key === "$ref" && typeof value === "string") out.$ref = value.replace(/^#\/\$defs\//, "#/definitions/");
    else if (key === "required" && Array.isArray(value) && value.length === 0) continue;
    else if (key === "properties" || key === "definitions") {
      out[key] = Object.fromEntries(
        Object.entries(value as SwaggerSchema).map(([name, item]) => [name, toSwaggerDialect(item)]),
      );
    } else out[key] = toSwaggerDialect(value);
  }
  return referenceWithSiblings(nullableReference(out));
}

/** swagger 2.0 ignores the siblings of a `$ref` (`x-nullable`, `description`): they move beside an `allOf` of it. */
function referenceWithSiblings(schema: SwaggerSchema): SwaggerSchema {
  const { $ref, ...siblings } = schema;
  if ($ref === undefined || Object.keys(siblings).length === 0) return schema;
  return { allOf: [{ $ref }], ...siblings };
}

/**
 * A nullable reference comes out as `anyOf: [{$ref}, {nullable}]` or `allOf`; swagger 2.0 has neither `anyOf` nor
 * siblings of `$ref`, so the reference is kept and wrapped in `allOf` with `x-nullable`, which swagger tools read.
 */
function nullableReference(schema: SwaggerSchema): SwaggerSchema {
  const variants = (schema.anyOf ?? schema.oneOf) as SwaggerSchema[] | undefined;
  if (!variants) return schema;
  const { anyOf: _a, oneOf: _o, ...rest } = schema;
  const kept = variants.filter((item) => !(item.type === "null" || (Object.keys(item).length === 1 && item.enum)));
  const nullable = kept.length < variants.length || schema["x-nullable"] === true;
  if (kept.length !== 1) return { ...rest, description: "one of several shapes" };
  const only = kept[0] as SwaggerSchema;
  if (only.$ref) return { ...rest, allOf: [only], ...(nullable ? { "x-nullable": true } : {}) };
  return { ...rest, ...only, ...(nullable ? { "x-nullable": true } : {}) };
}

/** The swagger 2.0 schema of `schema`; members of `definitions` become `$ref`s. */
export function toSwaggerSchema(schema: v.GenericSchema, definitions: NamedSchemas = {}): SwaggerSchema {
  return toSwaggerDialect(toJsonSchema(schema, config(definitions))) as SwaggerSchema;
}

/** The `definitions` section for `definitions` (each referring to the others by name). */
export function toSwaggerDefinitions(definitions: NamedSchemas): Record<string, SwaggerSchema> {
  const converted = toJsonSchemaDefs(definitions, config(definitions)) as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(converted).map(([name, schema]) => [name, toSwaggerDialect(schema) as SwaggerSchema]),
  );
}
