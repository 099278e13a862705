/**
 * The Scylla REST contracts (`scylla_v1.json`, `scylla_v2.json`: Scylla's own swagger, kept in the team's shared
 * `contracts/` folder beside the repository, or in `$SCYLLA_CONTRACTS_DIR`) for fidelity tests: which
 * routes exist and a JSON Schema (draft-04, ajv) validator of a route's 200 and error responses. A swagger property
 * typed bare `object` with no properties is treated as unconstrained (Scylla sends numbers there).
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv-draft-04";

interface Swagger {
  paths: Record<string, Record<string, { responses?: Record<string, { schema?: unknown }> }>>;
  definitions: Record<string, unknown>;
}

const CONTRACTS = process.env.SCYLLA_CONTRACTS_DIR ?? join(import.meta.dir, "../../../shared/contracts");

/** Whether both contract files are there (a bare clone has no shared folder beside it). */
export const contractsPresent =
  existsSync(join(CONTRACTS, "scylla_v1.json")) && existsSync(join(CONTRACTS, "scylla_v2.json"));

/**
 * For `test.skipIf(contractsAbsent(...))`: true when the contracts are missing, printing why the fidelity test is
 * skipped (so a skip is never silent).
 */
export function contractsAbsent(what: string): boolean {
  if (!contractsPresent) {
    console.warn(`skip: ${what}: Scylla's REST contracts not found in ${CONTRACTS} (set SCYLLA_CONTRACTS_DIR)`);
  }
  return !contractsPresent;
}

function loadSwagger(file: string): Swagger {
  return JSON.parse(readFileSync(join(CONTRACTS, file), "utf8")) as Swagger;
}

/** Replaces bare `{type: "object"}` (no properties) by `{}` so any value passes. */
function loosen(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(loosen);
  if (schema === null || typeof schema !== "object") return schema;
  const obj = schema as Record<string, unknown>;
  if (obj.type === "object" && obj.properties === undefined && obj.additionalProperties === undefined) return {};
  return Object.fromEntries(Object.entries(obj).map(([k, val]) => [k, loosen(val)]));
}

/** Both contracts with lookups by served pattern (`/v2/config/x` → v2 `/config/x`). */
export class ScyllaContracts {
  readonly v1 = loadSwagger("scylla_v1.json");
  readonly v2 = loadSwagger("scylla_v2.json");
  readonly #ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });

  constructor() {
    this.#ajv.addSchema({ definitions: loosen(this.v1.definitions) }, "v1");
    this.#ajv.addSchema({ definitions: loosen(this.v2.definitions) }, "v2");
  }

  #locate(pattern: string): { doc: Swagger; path: string; id: string } {
    return pattern.startsWith("/v2/")
      ? { doc: this.v2, path: pattern.slice(3), id: "v2" }
      : { doc: this.v1, path: pattern, id: "v1" };
  }

  /** Whether a method+pattern exists in a contract. */
  has(method: string, pattern: string): boolean {
    const { doc, path } = this.#locate(pattern);
    return doc.paths[path]?.[method.toLowerCase()] !== undefined;
  }

  /** Validates a response body; returns error text or undefined when valid. */
  validate(method: string, pattern: string, status: number, body: unknown): string | undefined {
    const { doc, path, id } = this.#locate(pattern);
    const responses = doc.paths[path]?.[method.toLowerCase()]?.responses;
    if (responses === undefined) return `no contract for ${method} ${pattern}`;
    const schema = (responses[String(status)] ?? responses.default)?.schema;
    if (schema === undefined) return undefined;
    const rewritten = JSON.parse(JSON.stringify(loosen(schema)).replaceAll('"#/definitions/', `"${id}#/definitions/`));
    const validate = this.#ajv.compile(rewritten as object);
    return validate(body) ? undefined : this.#ajv.errorsText(validate.errors);
  }
}
