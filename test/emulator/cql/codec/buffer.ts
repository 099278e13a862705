/** Big-endian readers and writers for the CQL protocol notation ([int], [short], [string], [bytes], ...). */

import { CqlError, ErrorCode } from "../errors.ts";

/** Reads protocol notation from one frame body; running past the end is a protocol error, as in Scylla. */
export class BodyReader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) {
      throw new CqlError(ErrorCode.Protocol, "Truncated frame: not enough bytes to read");
    }
  }

  byte(): number {
    this.need(1);
    return this.buf.readUInt8(this.pos++);
  }

  short(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  long(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  raw(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  string(): string {
    return this.raw(this.short()).toString("utf8");
  }

  longString(): string {
    return this.raw(this.int()).toString("utf8");
  }

  /** [bytes]: negative length means null. */
  bytes(): Buffer | null {
    const n = this.int();
    return n < 0 ? null : this.raw(n);
  }

  shortBytes(): Buffer {
    return this.raw(this.short());
  }

  stringMap(): Record<string, string> {
    const out: Record<string, string> = {};
    const n = this.short();
    for (let i = 0; i < n; i++) out[this.string()] = this.string();
    return out;
  }

  stringList(): string[] {
    const n = this.short();
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.string());
    return out;
  }
}

/** Accumulates protocol notation into a frame body. */
export class BodyWriter {
  private readonly parts: Buffer[] = [];

  byte(v: number): this {
    this.parts.push(Buffer.from([v & 0xff]));
    return this;
  }

  short(v: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(v);
    this.parts.push(b);
    return this;
  }

  int(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    this.parts.push(b);
    return this;
  }

  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }

  string(s: string): this {
    const b = Buffer.from(s, "utf8");
    return this.short(b.length).raw(b);
  }

  longString(s: string): this {
    const b = Buffer.from(s, "utf8");
    return this.int(b.length).raw(b);
  }

  bytes(b: Buffer | null): this {
    if (b === null) return this.int(-1);
    return this.int(b.length).raw(b);
  }

  stringList(list: string[]): this {
    this.short(list.length);
    for (const s of list) this.string(s);
    return this;
  }

  stringMultimap(map: Record<string, string[]>): this {
    const keys = Object.keys(map);
    this.short(keys.length);
    for (const k of keys) this.string(k).stringList(map[k] ?? []);
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}
