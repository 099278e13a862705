/** Token cursor with the shared grammar pieces: names, terms, types and WITH properties. */

import type { PropertyValue, QualifiedName, Term } from "./ast.ts";
import { syntaxError, type Token } from "./tokenizer.ts";

/** Reserved words that cannot be unquoted identifiers (subset of Scylla's reserved list). */
const RESERVED = new Set([
  "select",
  "from",
  "where",
  "and",
  "insert",
  "update",
  "delete",
  "create",
  "drop",
  "alter",
  "with",
  "limit",
  "use",
  "set",
  "in",
  "primary",
  "into",
  "order",
  "by",
  "asc",
  "desc",
  "allow",
  "keyspace",
  "table",
  "index",
  "schema",
  "if",
  "not",
  "null",
  "is",
  "of",
  "to",
  "on",
  "batch",
  "begin",
  "apply",
  "truncate",
  "grant",
  "revoke",
  "describe",
  "add",
  "rename",
  "modify",
  "materialized",
  "view",
  "token",
  "using",
  "norecursive",
  "infinity",
  "nan",
]);

export class Cursor {
  private i = 0;
  bindCount = 0;
  constructor(
    readonly src: string,
    private readonly tokens: Token[],
  ) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)]!;
  }

  next(): Token {
    const t = this.peek();
    if (t.kind !== "eof") this.i++;
    return t;
  }

  /** True when the next token is the given keyword or symbol (case-insensitive). */
  is(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return (t.kind === "ident" || t.kind === "symbol") && t.text === word;
  }

  accept(word: string): boolean {
    if (!this.is(word)) return false;
    this.i++;
    return true;
  }

  acceptAll(...words: string[]): boolean {
    for (let k = 0; k < words.length; k++) if (!this.is(words[k]!, k)) return false;
    this.i += words.length;
    return true;
  }

  expect(word: string): void {
    if (!this.accept(word)) throw this.unexpected(`expecting '${word.toUpperCase()}'`);
  }

  unexpected(what = ""): Error {
    const t = this.peek();
    const found = t.kind === "eof" ? "<EOF>" : `'${this.src.slice(t.start, t.end)}'`;
    return syntaxError(this.src, t.start, `no viable alternative at input ${found}${what ? ` (${what})` : ""}`);
  }

  /** The end of the statement: optional `;` then EOF. */
  finish(): void {
    this.accept(";");
    if (this.peek().kind !== "eof") throw this.unexpected("extraneous input");
  }

  identifier(): string {
    const t = this.peek();
    if (t.kind === "qident") {
      this.i++;
      return t.text;
    }
    if (t.kind === "ident" && !RESERVED.has(t.text)) {
      this.i++;
      return t.text;
    }
    throw this.unexpected("expecting an identifier");
  }

  qualifiedName(): QualifiedName {
    const first = this.identifier();
    if (this.accept(".")) return { keyspace: first, name: this.identifier() };
    return { name: first };
  }

  ifNotExists(): boolean {
    return this.acceptAll("if", "not", "exists");
  }

  ifExists(): boolean {
    return this.acceptAll("if", "exists");
  }

  term(): Term {
    const t = this.peek();
    if (t.kind === "symbol" && t.text === "?") {
      this.i++;
      return { kind: "bind", index: this.bindCount++ };
    }
    if (t.kind === "symbol" && t.text === ":") {
      this.i++;
      return { kind: "bind", index: this.bindCount++, name: this.identifier() };
    }
    if (t.kind === "string" || t.kind === "number" || t.kind === "uuid" || t.kind === "blob") {
      this.i++;
      return { kind: "literal", type: t.kind, value: t.text };
    }
    if (t.kind === "ident" && (t.text === "true" || t.text === "false")) {
      this.i++;
      return { kind: "literal", type: "boolean", value: t.text };
    }
    if (t.kind === "ident" && t.text === "null") {
      this.i++;
      return { kind: "literal", type: "null", value: "" };
    }
    if (this.accept("[")) return { kind: "list", items: this.termList("]") };
    if (this.accept("{")) return this.braceTerm();
    if (t.kind === "ident" && this.is("(", 1)) {
      const fn = this.next().text;
      this.expect("(");
      return { kind: "call", fn, args: this.termList(")") };
    }
    throw this.unexpected("expecting a value");
  }

  private termList(close: string): Term[] {
    const items: Term[] = [];
    if (this.accept(close)) return items;
    do items.push(this.term());
    while (this.accept(","));
    this.expect(close);
    return items;
  }

  private braceTerm(): Term {
    if (this.accept("}")) return { kind: "map", entries: [] };
    const first = this.term();
    if (this.accept(":")) {
      const entries: Array<[Term, Term]> = [[first, this.term()]];
      while (this.accept(",")) {
        const k = this.term();
        this.expect(":");
        entries.push([k, this.term()]);
      }
      this.expect("}");
      return { kind: "map", entries };
    }
    const items = [first];
    while (this.accept(",")) items.push(this.term());
    this.expect("}");
    return { kind: "set", items };
  }

  /** A CQL type, normalised the way system_schema.columns.type prints it (`map<text, int>`, varchar → text). */
  type(): string {
    const t = this.peek();
    if (t.kind === "string") {
      this.i++;
      return `'${t.text}'`;
    }
    const tok = this.next();
    if (tok.kind !== "ident" && tok.kind !== "qident") {
      throw syntaxError(
        this.src,
        tok.start,
        `no viable alternative at input '${this.src.slice(tok.start, tok.end)}' (expecting a type)`,
      );
    }
    const name = tok.kind === "ident" ? tok.text : tok.text;
    if (this.accept("<")) {
      const args = [this.type()];
      while (this.accept(",")) args.push(this.type());
      this.expect(">");
      return `${name}<${args.join(", ")}>`;
    }
    return name === "varchar" ? "text" : name;
  }

  /** `name = value [AND name = value ...]` of a WITH clause; stops before keywords it doesn't own. */
  properties(into: Record<string, PropertyValue> = {}): Record<string, PropertyValue> {
    do {
      const key = this.identifier().toLowerCase();
      this.expect("=");
      into[key] = this.propertyValue();
    } while (this.accept("and"));
    return into;
  }

  propertyValue(): PropertyValue {
    const t = this.peek();
    if (this.accept("{")) {
      const map: Record<string, string> = {};
      if (this.accept("}")) return map;
      do {
        const k = this.constant();
        this.expect(":");
        map[String(k)] = String(this.constant());
      } while (this.accept(","));
      this.expect("}");
      return map;
    }
    if (t.kind === "ident" && !["true", "false"].includes(t.text)) {
      this.i++;
      return t.text;
    }
    return this.constant();
  }

  private constant(): string | number | boolean {
    const t = this.next();
    if (t.kind === "string" || t.kind === "uuid" || t.kind === "qident") return t.text;
    if (t.kind === "number") return Number(t.text);
    if (t.kind === "ident" && (t.text === "true" || t.text === "false")) return t.text === "true";
    if (t.kind === "ident") return t.text;
    throw syntaxError(this.src, t.start, `no viable alternative at input '${this.src.slice(t.start, t.end)}'`);
  }

  /** Source text from a token start to the current token start (used to keep a view's WHERE clause verbatim). */
  sliceFrom(start: number): string {
    return this.src.slice(start, this.peek().start).trim();
  }
}
