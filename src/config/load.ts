/**
 * Generic YAML config loading: read files, merge them in order, validate the result with a valibot schema.
 *
 * Used for the server config (`server.ts`) and the agent config. Errors are ConfigErrors naming the file, the key
 * path and what was expected, so a user can fix the file without reading code.
 * @module
 */
import * as v from "valibot";
import { parseDocument } from "yaml";
import { ConfigError } from "../errors.ts";
import { readTextFile } from "../util/read-file.ts";
import { describeIssue, type FileLayer, formatKeyPath, resolveIssueFile } from "./issues.ts";
import { deepMerge, isPlainObject } from "./merge.ts";

export interface LoadConfigOptions {
  /**
   * Files that may be absent (SM skips a missing default config file). Any other listed file that cannot be read
   * is an error. Default: none.
   */
  optionalFiles?: readonly string[];
  /** Extra values merged after all files (e.g. from env), attributed to this label in errors. */
  overrides?: { label: string; values: Record<string, unknown> };
}

// biome-ignore lint/suspicious/noExplicitAny: the generic schema parameter must accept any valibot schema
type AnySchema = v.GenericSchema<unknown, any>;

/**
 * Loads YAML `files` in order (objects deep-merged, arrays and scalars replaced by later files, `null` values treated
 * as unset so defaults apply) and validates the merged value against `schema`.
 *
 * @returns the schema's output (defaults applied, transforms run).
 * @throws ConfigError when a file cannot be read or parsed, has an unknown key, or a value of the wrong type.
 * @example
 * const config = loadYamlConfig(ServerConfigSchema, ["/etc/scylla-manager/scylla-manager.yaml", "./local.yaml"]);
 */
export function loadYamlConfig<TSchema extends AnySchema>(
  schema: TSchema,
  files: readonly string[],
  options: LoadConfigOptions = {},
): v.InferOutput<TSchema> {
  const layers: FileLayer[] = [];
  for (const file of files) {
    const values = readYamlFile(file, options.optionalFiles?.includes(file) ?? false);
    if (values !== undefined) layers.push({ file, values });
  }
  if (options.overrides) layers.push({ file: options.overrides.label, values: options.overrides.values });
  return validateLayers(schema, layers);
}

/** Validates already-parsed layers (merged in order) against `schema`; the file names are used in errors only. */
export function validateLayers<TSchema extends AnySchema>(
  schema: TSchema,
  layers: readonly FileLayer[],
): v.InferOutput<TSchema> {
  let merged: Record<string, unknown> = {};
  for (const layer of layers) merged = deepMerge(merged, layer.values);
  const result = v.safeParse(schema, merged);
  if (result.success) return result.output;
  const problems = result.issues.map((issue) => {
    const path = (issue.path ?? []).map((item) => String(item.key));
    const file = resolveIssueFile(layers, path, issue);
    return { file, path, text: describeIssue(schema, issue, path) };
  });
  const lines = problems.map((p) => `${p.file}: ${formatKeyPath(p.path)}: ${p.text}`);
  const message = lines.length === 1 ? `invalid config: ${lines[0]}` : `invalid config:\n  ${lines.join("\n  ")}`;
  return throwConfigError(message, "fix the listed keys in the named file; see the example config for valid keys");
}

/** Reads and parses one YAML file into a mapping; `undefined` when the file is optional and missing. */
export function readYamlFile(file: string, optional = false): Record<string, unknown> | undefined {
  const text = readTextFile(
    file,
    (reason, error) =>
      throwConfigError(`read config file ${file}: ${reason}`, "check the path given with -c/--config-file", error),
    optional,
  );
  if (text === undefined) return undefined;
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    return throwConfigError(
      `parse config file ${file}: ${first?.message.split("\n")[0] ?? "invalid YAML"}`,
      "fix the YAML syntax",
    );
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return {}; // empty file or only comments
  if (!isPlainObject(value)) {
    return throwConfigError(
      `parse config file ${file}: top level must be a mapping of keys to values`,
      "see the example config",
    );
  }
  return value;
}

function throwConfigError(message: string, hint: string, cause?: unknown): never {
  throw new ConfigError(message, cause === undefined ? { hint } : { hint, cause });
}
