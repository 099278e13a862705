/**
 * A small JSON scanner for manifests: parses one value starting at a position of a text window, and reports
 * "incomplete" (instead of an error) when the window ends inside the value, so a caller can feed a decompressed
 * stream chunk by chunk and parse the index one entry at a time. Integers beyond 2^53 come back as bigint (tokens
 * are int64; JSON.parse would round them).
 * @module
 */

/** Thrown when the text ends before the value does. */
export const INCOMPLETE: unique symbol = Symbol("incomplete JSON");

/** Malformed JSON, with the offset in the current window. */
export class JsonSyntaxError extends Error {}

/** A parsed value and the offset just after it. */
export interface Scanned {
  value: unknown;
  end: number;
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/** Index of the first non-whitespace character at or after `pos` (may be text.length). */
export function skipWhitespace(text: string, pos: number): number {
  let i = pos;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
    else return i;
  }
}

/** Parses the value at `pos` (after whitespace); throws INCOMPLETE if `text` ends inside it. */
export function scanValue(text: string, pos: number): Scanned {
  const i = skipWhitespace(text, pos);
  if (i >= text.length) throw INCOMPLETE;
  const c = text[i];
  switch (c) {
    case "{":
      return scanObject(text, i);
    case "[":
      return scanArray(text, i);
    case '"':
      return scanString(text, i);
    case "t":
      return scanLiteral(text, i, "true", true);
    case "f":
      return scanLiteral(text, i, "false", false);
    case "n":
      return scanLiteral(text, i, "null", null);
    default:
      return scanNumber(text, i);
  }
}

/** Parses a string literal at `pos` (which must hold the opening quote). */
export function scanString(text: string, pos: number): Scanned {
  // Fast path: no escapes before the closing quote.
  const close = text.indexOf('"', pos + 1);
  if (close < 0) throw INCOMPLETE;
  const slash = text.indexOf("\\", pos + 1);
  if (slash < 0 || slash > close) return { value: text.slice(pos + 1, close), end: close + 1 };
  let i = pos + 1;
  let out = "";
  for (;;) {
    if (i >= text.length) throw INCOMPLETE;
    const c = text[i] as string;
    if (c === '"') return { value: out, end: i + 1 };
    if (c !== "\\") {
      const next = nextSpecial(text, i);
      out += text.slice(i, next);
      i = next;
      continue;
    }
    if (i + 1 >= text.length) throw INCOMPLETE;
    const e = text[i + 1] as string;
    if (e === "u") {
      if (i + 6 > text.length) throw INCOMPLETE;
      const hex = text.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new JsonSyntaxError(`bad \\u escape at ${i}`);
      out += String.fromCharCode(Number.parseInt(hex, 16));
      i += 6;
      continue;
    }
    const simple = ESCAPES[e];
    if (simple === undefined) throw new JsonSyntaxError(`bad escape \\${e} at ${i}`);
    out += simple;
    i += 2;
  }
}

const ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

function nextSpecial(text: string, from: number): number {
  const q = text.indexOf('"', from);
  const b = text.indexOf("\\", from);
  if (q < 0 && b < 0) return text.length;
  if (q < 0) return b;
  if (b < 0) return q;
  return Math.min(q, b);
}

function scanLiteral(text: string, pos: number, word: string, value: unknown): Scanned {
  const have = text.slice(pos, pos + word.length);
  if (have.length < word.length && word.startsWith(have)) throw INCOMPLETE;
  if (have !== word) throw new JsonSyntaxError(`unexpected ${JSON.stringify(text.slice(pos, pos + 8))} at ${pos}`);
  return { value, end: pos + word.length };
}

function scanNumber(text: string, pos: number): Scanned {
  NUMBER.lastIndex = pos;
  const match = NUMBER.exec(text);
  if (match === null) {
    if (pos + 1 >= text.length && text[pos] === "-") throw INCOMPLETE;
    throw new JsonSyntaxError(`unexpected ${JSON.stringify(text.slice(pos, pos + 8))} at ${pos}`);
  }
  const end = pos + match[0].length;
  // A number that touches the end of the window may continue in the next chunk.
  if (end >= text.length) throw INCOMPLETE;
  const literal = match[0];
  const value = Number(literal);
  if (Number.isSafeInteger(value) || !/^-?[0-9]+$/.test(literal)) return { value, end };
  return { value: BigInt(literal), end };
}

function scanArray(text: string, pos: number): Scanned {
  const out: unknown[] = [];
  let i = skipWhitespace(text, pos + 1);
  if (i >= text.length) throw INCOMPLETE;
  if (text[i] === "]") return { value: out, end: i + 1 };
  for (;;) {
    const item = scanValue(text, i);
    out.push(item.value);
    i = skipWhitespace(text, item.end);
    if (i >= text.length) throw INCOMPLETE;
    const c = text[i];
    if (c === "]") return { value: out, end: i + 1 };
    if (c !== ",") throw new JsonSyntaxError(`expected , or ] at ${i}`);
    i++;
  }
}

function scanObject(text: string, pos: number): Scanned {
  const out: Record<string, unknown> = {};
  let i = skipWhitespace(text, pos + 1);
  if (i >= text.length) throw INCOMPLETE;
  if (text[i] === "}") return { value: out, end: i + 1 };
  for (;;) {
    const key = scanKey(text, i);
    const item = scanValue(text, key.end);
    setOwn(out, key.key, item.value);
    i = skipWhitespace(text, item.end);
    if (i >= text.length) throw INCOMPLETE;
    const c = text[i];
    if (c === "}") return { value: out, end: i + 1 };
    if (c !== ",") throw new JsonSyntaxError(`expected , or } at ${i}`);
    i = skipWhitespace(text, i + 1);
  }
}

/** Parses `"key" :` at `pos` (after whitespace); returns the key and the offset after the colon. */
export function scanKey(text: string, pos: number): { key: string; end: number } {
  const i = skipWhitespace(text, pos);
  if (i >= text.length) throw INCOMPLETE;
  if (text[i] !== '"') throw new JsonSyntaxError(`expected a key at ${i}`);
  const key = scanString(text, i);
  const colon = skipWhitespace(text, key.end);
  if (colon >= text.length) throw INCOMPLETE;
  if (text[colon] !== ":") throw new JsonSyntaxError(`expected : at ${colon}`);
  return { key: key.value as string, end: colon + 1 };
}

/** Sets a key without ever touching the prototype (a `__proto__` key stays data). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true });
  else target[key] = value;
}
