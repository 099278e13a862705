/**
 * CQL native protocol framing (v3/v4: 9-byte header `version flags stream(2) opcode length(4)`; v1/v2 use a
 * 1-byte stream and an 8-byte header, which we only parse far enough to answer a protocol error).
 */

export const Opcode = {
  Error: 0x00,
  Startup: 0x01,
  Ready: 0x02,
  Authenticate: 0x03,
  Options: 0x05,
  Supported: 0x06,
  Query: 0x07,
  Result: 0x08,
  Prepare: 0x09,
  Execute: 0x0a,
  Register: 0x0b,
  Event: 0x0c,
  Batch: 0x0d,
  AuthChallenge: 0x0e,
  AuthResponse: 0x0f,
  AuthSuccess: 0x10,
} as const;

export const FrameFlag = { Compression: 0x01, Tracing: 0x02, CustomPayload: 0x04, Warning: 0x08 } as const;

/** Versions this node speaks; Scylla speaks v3 and v4 and rejects v5 so drivers downgrade. */
export const SUPPORTED_VERSIONS = [3, 4] as const;
export const HIGHEST_VERSION = 4;
/** Scylla's limit on a frame body (it closes on bigger ones); 256 MiB as in the spec. */
export const MAX_FRAME_BODY = 256 * 1024 * 1024;

export interface Frame {
  /** Protocol version without the direction bit. */
  version: number;
  flags: number;
  stream: number;
  opcode: number;
  body: Buffer;
}

/** Header length for a protocol version. */
export function headerLength(version: number): number {
  return version >= 3 ? 9 : 8;
}

/** Encodes a response frame (direction bit set). */
export function encodeResponse(version: number, stream: number, opcode: number, body: Buffer, flags = 0): Buffer {
  const hl = headerLength(version);
  const header = Buffer.alloc(hl);
  header.writeUInt8(0x80 | version, 0);
  header.writeUInt8(flags, 1);
  if (hl === 9) {
    header.writeInt16BE(stream, 2);
    header.writeUInt8(opcode, 4);
    header.writeUInt32BE(body.length, 5);
  } else {
    header.writeInt8(stream, 2);
    header.writeUInt8(opcode, 3);
    header.writeUInt32BE(body.length, 4);
  }
  return Buffer.concat([header, body]);
}

/** Encodes a request frame (used by tests acting as a raw client). */
export function encodeRequest(version: number, stream: number, opcode: number, body: Buffer, flags = 0): Buffer {
  const frame = encodeResponse(version, stream, opcode, body, flags);
  frame.writeUInt8(version & 0x7f, 0);
  return frame;
}

/** Incremental frame splitter over a byte stream. */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  /** Appends bytes and returns every complete frame; throws FrameTooLarge on an absurd length. */
  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Frame[] = [];
    for (;;) {
      if (this.pending.length < 1) break;
      const version = this.pending.readUInt8(0) & 0x7f;
      const hl = headerLength(version);
      if (this.pending.length < hl) break;
      const length = this.pending.readUInt32BE(hl - 4);
      if (length > MAX_FRAME_BODY) throw new FrameTooLarge(length, readStream(this.pending, version));
      if (this.pending.length < hl + length) break;
      frames.push({
        version,
        flags: this.pending.readUInt8(1),
        stream: readStream(this.pending, version),
        opcode: this.pending.readUInt8(hl - 5),
        body: this.pending.subarray(hl, hl + length),
      });
      this.pending = this.pending.subarray(hl + length);
    }
    return frames;
  }
}

function readStream(buf: Buffer, version: number): number {
  return version >= 3 ? buf.readInt16BE(2) : buf.readInt8(2);
}

/** A frame announced a body over the limit; the connection cannot continue. */
export class FrameTooLarge extends Error {
  constructor(
    readonly length: number,
    readonly stream: number,
  ) {
    super(`Request is too big: length ${length} exceeds maximum allowed ${MAX_FRAME_BODY}`);
  }
}
