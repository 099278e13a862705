/**
 * SM's include/exclude glob lists (`v3/pkg/util/inexlist`, `ksfilter`, `dcfilter`), shared by repair, backup and
 * restore targets and sctool's progress filters: glob without separators
 * (`*` also matches `.`), `?`, `[abc]`, `[a-z]`, `[!a]`; a leading `!` excludes; patterns are evaluated left to
 * right and the last matching one decides.
 * @module
 */
import { ValidationError } from "../errors.ts";

/** One compiled pattern. */
interface Pattern {
  source: string;
  exclude: boolean;
  re: RegExp;
}

/** Compiles a gobwas-style glob (no separators) to an anchored RegExp. */
export function globToRegExp(glob: string): RegExp {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*") out += ".*";
    else if (c === "?") out += ".";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 1);
      if (end < 0) throw new ValidationError(`invalid glob pattern "${glob}": unclosed [`);
      let body = glob.slice(i + 1, end);
      const negate = body.startsWith("!");
      if (negate) body = body.slice(1);
      out += `[${negate ? "^" : ""}${body.replace(/[\\\]^]/g, "\\$&")}]`;
      i = end;
    } else if (c === "\\" && i + 1 < glob.length) {
      out += (glob[++i] as string).replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${out}$`, "s");
}

/** An include/exclude list. */
export class InExList {
  readonly #patterns: Pattern[];

  constructor(patterns: readonly string[]) {
    this.#patterns = patterns
      .map((p) => p.trim())
      .filter((p) => p !== "")
      .map((p) => {
        const exclude = p.startsWith("!");
        const source = exclude ? p.slice(1) : p;
        return { source, exclude, re: globToRegExp(source) };
      });
  }

  /** Whether the last matching pattern includes `value`. */
  matches(value: string): boolean {
    let ok = false;
    for (const p of this.#patterns) if (p.re.test(value)) ok = !p.exclude;
    return ok;
  }

  /** Index of the first include pattern that matches (ordering tie-break), or the pattern count. */
  firstInclude(value: string): number {
    const i = this.#patterns.findIndex((p) => !p.exclude && p.re.test(value));
    return i < 0 ? this.#patterns.length : i;
  }

  /** Values the list selects, in their order. */
  filter(values: readonly string[]): string[] {
    return values.filter((v) => this.matches(v));
  }
}

/** SM's keyspace filter decoration: `ks` ⇒ `ks.*`, `ks*` ⇒ `ks*.*`; a pattern starting with `.` is an error. */
export function decorateKeyspacePatterns(patterns: readonly string[]): string[] {
  const list = patterns.map((p) => p.trim()).filter((p) => p !== "");
  if (list.length === 0) return ["*.*"];
  return list.map((p) => {
    const exclude = p.startsWith("!");
    const body = exclude ? p.slice(1) : p;
    if (body.startsWith(".")) throw new ValidationError(`invalid glob pattern "${p}": missing keyspace`);
    let decorated = body;
    if (!body.includes(".")) decorated = `${body}.*`;
    return exclude ? `!${decorated}` : decorated;
  });
}

/** SM's keyspace filter over `ks.table` names: empty = everything; `ks` means `ks.*`. */
export function keyspaceFilter(patterns: readonly string[]): InExList {
  return new InExList(decorateKeyspacePatterns(patterns));
}

/** SM's DC filter: an empty list means `*`; no match is an error; the result is sorted. */
export function filterDcs(all: readonly string[], patterns: readonly string[]): string[] {
  const list = patterns.filter((p) => p.trim() !== "");
  const matcher = new InExList(list.length === 0 ? ["*"] : list);
  const out = matcher.filter(all).sort();
  if (out.length === 0) {
    throw new ValidationError(`no matching DCs found for dc=${JSON.stringify(list)}`, {
      hint: `datacenters of the cluster: ${[...all].sort().join(", ")}`,
    });
  }
  return out;
}
