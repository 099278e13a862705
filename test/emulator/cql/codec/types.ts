/** CQL data types: parsing type text, [option] encoding for result metadata, value (de)serialisation. */

import { isIP } from "node:net";
import { CqlError, ErrorCode } from "../errors.ts";
import { BodyReader, type BodyWriter } from "./buffer.ts";

export type CqlType =
  | { kind: "native"; name: NativeName }
  | { kind: "list" | "set"; element: CqlType; frozen: boolean }
  | { kind: "map"; key: CqlType; value: CqlType; frozen: boolean }
  | { kind: "tuple"; elements: CqlType[] }
  | { kind: "udt"; keyspace: string; name: string; fields: Array<{ name: string; type: CqlType }> };

/** Native type names with their [option] ids. */
export const NATIVE_IDS = {
  ascii: 0x0001,
  bigint: 0x0002,
  blob: 0x0003,
  boolean: 0x0004,
  counter: 0x0005,
  decimal: 0x0006,
  double: 0x0007,
  float: 0x0008,
  int: 0x0009,
  timestamp: 0x000b,
  uuid: 0x000c,
  text: 0x000d,
  varint: 0x000e,
  timeuuid: 0x000f,
  inet: 0x0010,
  date: 0x0011,
  time: 0x0012,
  smallint: 0x0013,
  tinyint: 0x0014,
  duration: 0x0015,
} as const;
export type NativeName = keyof typeof NATIVE_IDS;

/** Looks up a user type by keyspace and name, for column types that name one. */
export type UdtResolver = (keyspace: string, name: string) => Array<{ name: string; type: string }> | undefined;

/** Parses type text (`map<text, frozen<list<int>>>`, `varchar`, a UDT name) into a type descriptor. */
export function parseType(text: string, keyspace = "", resolveUdt?: UdtResolver): CqlType {
  const src = text.trim();
  const open = src.indexOf("<");
  if (open < 0) {
    const name = (src === "varchar" ? "text" : src.toLowerCase()) as NativeName;
    if (name in NATIVE_IDS) return { kind: "native", name };
    const unquoted = src.replace(/^"|"$/g, "");
    const fields = resolveUdt?.(keyspace, unquoted);
    if (!fields) throw new CqlError(ErrorCode.Invalid, `Unknown type ${keyspace}.${unquoted}`);
    return {
      kind: "udt",
      keyspace,
      name: unquoted,
      fields: fields.map((f) => ({ name: f.name, type: parseType(f.type, keyspace, resolveUdt) })),
    };
  }
  const outer = src.slice(0, open).trim().toLowerCase();
  const args = splitTypeArgs(src.slice(open + 1, src.lastIndexOf(">")));
  const sub = (i: number) => parseType(args[i] ?? "", keyspace, resolveUdt);
  switch (outer) {
    case "frozen": {
      const inner = sub(0);
      return inner.kind === "list" || inner.kind === "set" || inner.kind === "map" ? { ...inner, frozen: true } : inner;
    }
    case "list":
    case "set":
      return { kind: outer, element: sub(0), frozen: false };
    case "map":
      return { kind: "map", key: sub(0), value: sub(1), frozen: false };
    case "tuple":
      return { kind: "tuple", elements: args.map((_, i) => sub(i)) };
    default:
      throw new CqlError(ErrorCode.Invalid, `Unknown type ${src}`);
  }
}

function splitTypeArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "<") depth++;
    else if (s[i] === ">") depth--;
    else if (s[i] === "," && depth === 0) {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(s.slice(start).trim());
  return out;
}

/** Writes a type as an [option] in result/prepared metadata. */
export function writeTypeOption(w: BodyWriter, t: CqlType): void {
  switch (t.kind) {
    case "native":
      w.short(NATIVE_IDS[t.name]);
      return;
    case "list":
    case "set":
      w.short(t.kind === "list" ? 0x20 : 0x22);
      writeTypeOption(w, t.element);
      return;
    case "map":
      w.short(0x21);
      writeTypeOption(w, t.key);
      writeTypeOption(w, t.value);
      return;
    case "tuple":
      w.short(0x31).short(t.elements.length);
      for (const e of t.elements) writeTypeOption(w, e);
      return;
    case "udt":
      w.short(0x30).string(t.keyspace).string(t.name).short(t.fields.length);
      for (const f of t.fields) {
        w.string(f.name);
        writeTypeOption(w, f.type);
      }
  }
}

function uuidBytes(v: unknown): Buffer {
  const hex = String(v).replace(/-/g, "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new CqlError(ErrorCode.Invalid, `Invalid UUID string: ${String(v)}`);
  return Buffer.from(hex, "hex");
}

function inetBytes(v: unknown): Buffer {
  const s = String(v);
  if (isIP(s) === 4) return Buffer.from(s.split(".").map(Number));
  if (isIP(s) === 6) {
    const [head = "", tail = ""] = s.split("::");
    const h = head ? head.split(":") : [];
    const t = tail ? tail.split(":") : [];
    const groups = s.includes("::") ? [...h, ...Array(8 - h.length - t.length).fill("0"), ...t] : h;
    const b = Buffer.alloc(16);
    for (const [i, g] of groups.entries()) b.writeUInt16BE(Number.parseInt(g, 16), i * 2);
    return b;
  }
  throw new CqlError(ErrorCode.Invalid, `Invalid inet value: ${s}`);
}

function collectionEntries(v: unknown): Array<[unknown, unknown]> {
  if (v instanceof Map) return [...v.entries()];
  return Object.entries(v as Record<string, unknown>);
}

/** Serialises a JS value for a column of type `t` (v3+ collection format: [int] counts). */
export function encodeValue(t: CqlType, v: unknown): Buffer | null {
  if (v === null || v === undefined) return null;
  switch (t.kind) {
    case "native":
      return encodeNative(t.name, v);
    case "list":
    case "set": {
      const items = [...(v as Iterable<unknown>)];
      return encodeParts(items.map((i) => encodeValue(t.element, i)));
    }
    case "map": {
      const parts: Array<Buffer | null> = [];
      for (const [k, val] of collectionEntries(v)) parts.push(encodeValue(t.key, k), encodeValue(t.value, val));
      return encodeParts(parts, parts.length / 2);
    }
    case "tuple":
      return Buffer.concat((v as unknown[]).map((item, i) => withLength(encodeValue(t.elements[i]!, item))));
    case "udt": {
      const rec = v as Record<string, unknown>;
      return Buffer.concat(t.fields.map((f) => withLength(encodeValue(f.type, rec[f.name]))));
    }
  }
}

function withLength(b: Buffer | null): Buffer {
  const len = Buffer.alloc(4);
  len.writeInt32BE(b === null ? -1 : b.length);
  return b === null ? len : Buffer.concat([len, b]);
}

function encodeParts(parts: Array<Buffer | null>, count = parts.length): Buffer {
  const n = Buffer.alloc(4);
  n.writeInt32BE(count);
  return Buffer.concat([n, ...parts.map(withLength)]);
}

function encodeNative(name: NativeName, v: unknown): Buffer {
  // Values we could not decode (varint, decimal, date, ...) are kept serialised and written back as they came.
  if (Buffer.isBuffer(v)) return v;
  switch (name) {
    case "ascii":
    case "text":
      return Buffer.from(String(v), "utf8");
    case "blob":
      return Buffer.from(String(v), "utf8");
    case "boolean":
      return Buffer.from([v ? 1 : 0]);
    case "int": {
      const b = Buffer.alloc(4);
      b.writeInt32BE(Number(v));
      return b;
    }
    case "smallint": {
      const b = Buffer.alloc(2);
      b.writeInt16BE(Number(v));
      return b;
    }
    case "tinyint":
      return Buffer.from([Number(v) & 0xff]);
    case "bigint":
    case "counter":
    case "timestamp": {
      const b = Buffer.alloc(8);
      b.writeBigInt64BE(BigInt(v instanceof Date ? v.getTime() : (v as number | bigint)));
      return b;
    }
    case "double": {
      const b = Buffer.alloc(8);
      b.writeDoubleBE(Number(v));
      return b;
    }
    case "float": {
      const b = Buffer.alloc(4);
      b.writeFloatBE(Number(v));
      return b;
    }
    case "uuid":
    case "timeuuid":
      return uuidBytes(v);
    case "inet":
      return inetBytes(v);
    default:
      throw new CqlError(ErrorCode.Server, `emulator cannot serialise type ${name}`);
  }
}

/** Deserialises a bound value for type `t` (the inverse of encodeValue for the types we compare on). */
export function decodeValue(t: CqlType, b: Buffer | null): unknown {
  if (b === null) return null;
  if (t.kind === "list" || t.kind === "set") {
    const r = new BodyReader(b);
    const n = r.int();
    return Array.from({ length: n }, () => decodeValue(t.element, r.bytes()));
  }
  if (t.kind === "map") {
    const r = new BodyReader(b);
    const n = r.int();
    const out: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) out[String(decodeValue(t.key, r.bytes()))] = decodeValue(t.value, r.bytes());
    return out;
  }
  if (t.kind !== "native") return b;
  const bad = () => new CqlError(ErrorCode.Invalid, `Expected ${t.name} value, got ${b.length} bytes`);
  switch (t.name) {
    case "ascii":
    case "text":
      return b.toString("utf8");
    case "int":
      if (b.length !== 4) throw bad();
      return b.readInt32BE(0);
    case "bigint":
    case "counter":
    case "timestamp":
      if (b.length !== 8) throw bad();
      return b.readBigInt64BE(0);
    case "boolean":
      return b.length > 0 && b[0] !== 0;
    case "uuid":
    case "timeuuid": {
      if (b.length !== 16) throw bad();
      const h = b.toString("hex");
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }
    case "double":
      return b.readDoubleBE(0);
    case "float":
      return b.readFloatBE(0);
    default:
      return b;
  }
}
