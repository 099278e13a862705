/** CQL lexer: identifiers (quoted ones keep their case), strings ('..' and $$..$$), numbers, uuids, blobs, symbols. */

import { CqlError, ErrorCode } from "../errors.ts";

export type TokenKind = "ident" | "qident" | "string" | "number" | "uuid" | "blob" | "symbol" | "eof";

export interface Token {
  kind: TokenKind;
  /** Identifier text lowercased for `ident`, raw for others. */
  text: string;
  start: number;
  end: number;
}

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/;
const NUMBER_RE = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;
const IDENT_RE = /^[A-Za-z_][A-Za-z0-9_]*/;
const TWO_CHAR = new Set(["<=", ">=", "!=", "=="]);

/** Splits a statement into tokens; an unterminated string or stray character is a Syntax error. */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if ((c === "-" && src[i + 1] === "-") || (c === "/" && src[i + 1] === "/")) {
      while (i < src.length && src[i] !== "\n") i++;
      continue;
    }
    if (c === "/" && src[i + 1] === "*") {
      const close = src.indexOf("*/", i + 2);
      if (close < 0) throw syntaxError(src, i, "unterminated comment");
      i = close + 2;
      continue;
    }
    const rest = src.slice(i);
    if (c === "'") {
      let j = i + 1;
      let text = "";
      for (;;) {
        if (j >= src.length) throw syntaxError(src, i, "unterminated string literal");
        if (src[j] === "'") {
          if (src[j + 1] === "'") {
            text += "'";
            j += 2;
            continue;
          }
          break;
        }
        text += src[j];
        j++;
      }
      out.push({ kind: "string", text, start: i, end: j + 1 });
      i = j + 1;
      continue;
    }
    if (c === "$" && src[i + 1] === "$") {
      const close = src.indexOf("$$", i + 2);
      if (close < 0) throw syntaxError(src, i, "unterminated $$ string");
      out.push({ kind: "string", text: src.slice(i + 2, close), start: i, end: close + 2 });
      i = close + 2;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let text = "";
      for (;;) {
        if (j >= src.length) throw syntaxError(src, i, "unterminated quoted identifier");
        if (src[j] === '"') {
          if (src[j + 1] === '"') {
            text += '"';
            j += 2;
            continue;
          }
          break;
        }
        text += src[j];
        j++;
      }
      out.push({ kind: "qident", text, start: i, end: j + 1 });
      i = j + 1;
      continue;
    }
    const uuid = UUID_RE.exec(rest);
    if (uuid) {
      out.push({ kind: "uuid", text: uuid[0].toLowerCase(), start: i, end: i + uuid[0].length });
      i += uuid[0].length;
      continue;
    }
    if (c === "0" && (src[i + 1] === "x" || src[i + 1] === "X")) {
      const m = /^0[xX][0-9a-fA-F]*/.exec(rest)!;
      out.push({ kind: "blob", text: m[0].slice(2).toLowerCase(), start: i, end: i + m[0].length });
      i += m[0].length;
      continue;
    }
    const num = NUMBER_RE.exec(rest);
    if (num && (c !== "-" || /[\d.]/.test(src[i + 1] ?? ""))) {
      out.push({ kind: "number", text: num[0], start: i, end: i + num[0].length });
      i += num[0].length;
      continue;
    }
    const id = IDENT_RE.exec(rest);
    if (id) {
      out.push({ kind: "ident", text: id[0].toLowerCase(), start: i, end: i + id[0].length });
      i += id[0].length;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (TWO_CHAR.has(two)) {
      out.push({ kind: "symbol", text: two, start: i, end: i + 2 });
      i += 2;
      continue;
    }
    if ("(),;.*=<>{}[]:?+-".includes(c)) {
      out.push({ kind: "symbol", text: c, start: i, end: i + 1 });
      i++;
      continue;
    }
    throw syntaxError(src, i, `character '${c}' is not valid here`);
  }
  out.push({ kind: "eof", text: "", start: src.length, end: src.length });
  return out;
}

/** A Syntax (0x2000) error worded like Scylla's ANTLR messages. */
export function syntaxError(src: string, pos: number, what: string): CqlError {
  const line = src.slice(0, pos).split("\n").length;
  const col = pos - src.lastIndexOf("\n", pos - 1) - 1;
  return new CqlError(ErrorCode.Syntax, `line ${line}:${col} ${what}`);
}
