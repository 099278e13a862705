/**
 * Command-line flags parsed the way SM's agent commands parse theirs (cobra + pflag, e.g.
 * `pkg/cmd/agent/download_files.go`): `--name value`, `--name=value`, `-n value`, `-nvalue`, booleans as `--flag`
 * or `--flag=false`, string lists split on commas and repeatable, and pflag's error texts
 * (`unknown flag: --x`, `flag needs an argument: --x`, `invalid argument "v" for "-n, --name" flag: ...`,
 * `required flag(s) "a", "b" not set`).
 * @module
 */

/** One flag: its kind, shorthand, default and an optional value check (throws with the reason). */
export interface FlagSpec {
  kind: "string" | "bool" | "int" | "list";
  short?: string;
  /** Value used when the flag is absent. */
  default?: string | boolean | number | string[];
  required?: boolean;
  /** Checks (and may normalise) a string value; throws an Error whose message is the reason. */
  check?: (value: string) => string;
  /** Usage line text, after the flag names. */
  usage: string;
  /** Placeholder shown in usage, e.g. `path`. */
  placeholder?: string;
}

export type FlagSpecs = Record<string, FlagSpec>;

/** Parsed values by flag name; `set` holds the names given on the command line. */
export interface ParsedFlags {
  values: Record<string, string | boolean | number | string[]>;
  set: Set<string>;
  /** Arguments that are not flags. */
  args: string[];
}

/** A command-line mistake, with pflag's wording. */
export class FlagError extends Error {
  override name = "FlagError";
}

/** Parses `argv` against `specs`; throws FlagError with pflag's text. `-h`/`--help` set `help`. */
export function parseFlags(argv: readonly string[], specs: FlagSpecs): ParsedFlags & { help: boolean } {
  const values: ParsedFlags["values"] = {};
  const set = new Set<string>();
  const args: string[] = [];
  let help = false;
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.short) byShort.set(spec.short, name);
    values[name] = structuredClone(spec.default ?? defaultOf(spec.kind));
  }
  const assign = (name: string, raw: string, label: string) => {
    const spec = specs[name] as FlagSpec;
    try {
      const value = spec.check ? spec.check(raw) : raw;
      if (spec.kind === "int") {
        if (!/^[+-]?\d+$/.test(value))
          throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`);
        values[name] = Number.parseInt(value, 10);
      } else if (spec.kind === "bool") {
        const b = parseBool(value);
        if (b === undefined) throw new Error(`strconv.ParseBool: parsing ${JSON.stringify(value)}: invalid syntax`);
        values[name] = b;
      } else if (spec.kind === "list") {
        const parts = value === "" ? [] : value.split(",");
        values[name] = set.has(name) ? [...(values[name] as string[]), ...parts] : parts;
      } else values[name] = value;
    } catch (error) {
      throw new FlagError(
        `invalid argument ${JSON.stringify(raw)} for ${JSON.stringify(label)} flag: ${(error as Error).message}`,
      );
    }
    set.add(name);
  };
  const label = (name: string) => (specs[name]?.short ? `-${specs[name]?.short}, --${name}` : `--${name}`);

  const rest = [...argv];
  while (rest.length > 0) {
    const arg = rest.shift() as string;
    if (arg === "--") {
      args.push(...rest);
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      if (name === "help") {
        help = true;
        continue;
      }
      const spec = specs[name];
      if (spec === undefined) throw new FlagError(`unknown flag: --${name}`);
      if (eq >= 0) assign(name, arg.slice(eq + 1), label(name));
      else if (spec.kind === "bool") assign(name, "true", label(name));
      else {
        if (rest.length === 0) throw new FlagError(`flag needs an argument: --${name}`);
        assign(name, rest.shift() as string, label(name));
      }
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      // A shorthand group: booleans may be combined (-ab); a value flag takes the rest or the next argument.
      for (let i = 1; i < arg.length; i++) {
        const c = arg[i] as string;
        if (c === "h" && !byShort.has("h")) {
          help = true;
          continue;
        }
        const name = byShort.get(c);
        if (name === undefined) throw new FlagError(`unknown shorthand flag: '${c}' in ${arg}`);
        const spec = specs[name] as FlagSpec;
        const tail = arg.slice(i + 1);
        if (spec.kind === "bool") {
          if (tail.startsWith("=")) {
            assign(name, tail.slice(1), label(name));
            break;
          }
          assign(name, "true", label(name));
          continue;
        }
        if (tail !== "") assign(name, tail.startsWith("=") ? tail.slice(1) : tail, label(name));
        else {
          if (rest.length === 0) throw new FlagError(`flag needs an argument: '${c}' in -${c}`);
          assign(name, rest.shift() as string, label(name));
        }
        break;
      }
      continue;
    }
    args.push(arg);
  }
  if (!help) {
    const missing = Object.entries(specs)
      .filter(([name, spec]) => spec.required && !set.has(name))
      .map(([name]) => JSON.stringify(name));
    if (missing.length > 0) throw new FlagError(`required flag(s) ${missing.join(", ")} not set`);
  }
  return { values, set, args, help };
}

/** The `Flags:` block of a usage text, aligned as cobra prints it. */
export function flagUsage(specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const names = spec.short ? `-${spec.short}, --${name}` : `    --${name}`;
    const kind = spec.placeholder ?? (spec.kind === "bool" ? "" : spec.kind === "list" ? "strings" : spec.kind);
    return { left: `  ${names}${kind ? ` ${kind}` : ""}`, right: spec.usage + defaultText(spec) };
  });
  rows.push({ left: "  -h, --help", right: "help" });
  const width = Math.max(...rows.map((r) => r.left.length)) + 3;
  return rows.map((r) => `${r.left.padEnd(width)}${r.right}`).join("\n");
}

function defaultText(spec: FlagSpec): string {
  const d = spec.default;
  if (d === undefined || d === false || d === "" || d === 0 || (Array.isArray(d) && d.length === 0)) return "";
  if (Array.isArray(d)) return ` (default [${d.join(",")}])`;
  return ` (default ${typeof d === "string" ? JSON.stringify(d) : d})`;
}

function defaultOf(kind: FlagSpec["kind"]): string | boolean | number | string[] {
  return kind === "bool" ? false : kind === "int" ? 0 : kind === "list" ? [] : "";
}

function parseBool(value: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(value)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(value)) return false;
  return undefined;
}
