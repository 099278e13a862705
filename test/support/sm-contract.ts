/**
 * The Scylla Manager REST contract as JSON Schema draft-04 validators for contract tests: SM's own swagger from the
 * team's shared folder beside the repository when it is there, else the definitions of our served document
 * (src/server/openapi/, which `compat.test.ts` keeps a compatible superset of SM's). Each test decides how strict to
 * make which definitions; this helper only compiles and checks.
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Ajv from "ajv-draft-04";
import { buildOpenApiDocument } from "../../src/server/openapi/document.ts";

const contract = fileURLToPath(new URL("../../../shared/contracts/scylla-manager.json", import.meta.url));

/** A fresh copy of the contract's swagger definitions (callers may rewrite it). */
export function readSmDefinitions(): Record<string, Record<string, unknown>> {
  if (existsSync(contract)) return JSON.parse(readFileSync(contract, "utf8")).definitions;
  console.warn(`sm-contract: SM's swagger not found at ${contract}; validating against our served document`);
  return structuredClone(buildOpenApiDocument().definitions) as Record<string, Record<string, unknown>>;
}

/** swagger's `x-nullable` → draft-04 `type: [t, "null"]` (or "or null" around a reference), recursively. */
export function applyNullable(schema: unknown): unknown {
  if (schema === null || typeof schema !== "object") return schema;
  if (Array.isArray(schema)) return schema.map(applyNullable);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema as Record<string, unknown>)) out[key] = applyNullable(value);
  if (out["x-nullable"] === true && typeof out.type === "string") out.type = [out.type, "null"];
  else if (out["x-nullable"] === true && out.allOf) {
    const { allOf, ...rest } = out;
    return { ...rest, anyOf: [{ allOf }, { type: "null" }] };
  }
  return out;
}

/** Validators of values against named definitions; each returns "" when valid, else ajv's error text. */
export interface SmContractValidator {
  validate(definition: string, value: unknown): string;
  validateArray(definition: string, value: unknown): string;
}

/** Compiles `definitions` (swagger formats accepted as-is) into validators by definition name. */
export function createSmContractValidator(definitions: Record<string, unknown>): SmContractValidator {
  const ajv = new Ajv({ strict: false, allErrors: true });
  for (const format of ["byte", "float", "uint64", "int64", "int32", "date-time", "uuid", "int"]) {
    ajv.addFormat(format, true);
  }
  ajv.addSchema({ id: "sm", definitions }, "sm");
  const check = (schema: object, value: unknown): string => {
    const validate = ajv.compile(schema);
    return validate(value) ? "" : ajv.errorsText(validate.errors);
  };
  const ref = (definition: string) => ({ $ref: `sm#/definitions/${definition}` });
  return {
    validate: (definition, value) => check(ref(definition), value),
    validateArray: (definition, value) => check({ type: "array", items: ref(definition) }, value),
  };
}
