/** One client connection: handshake state machine, auth, events and request dispatch. */

import type { Socket } from "node:net";
import { BodyReader } from "./codec/buffer.ts";
import { BAD_CREDENTIALS_MESSAGE, CqlError, ErrorCode } from "./errors.ts";
import {
  type ExecContext,
  encodePreparedResult,
  type Prepared,
  prepareStatement,
  runBatch,
  runPrepared,
} from "./execute.ts";
import { encodeResponse, type Frame, FrameDecoder, FrameTooLarge, HIGHEST_VERSION, Opcode } from "./frame.ts";
import {
  encodeError,
  encodeSupported,
  readBatch,
  readPlainCredentials,
  readQueryParameters,
  type SchemaChangeEvent,
} from "./messages.ts";
import type { CqlNodeView } from "./node-view.ts";
import { CQL_VERSION } from "./tables/system-local.ts";
import type { VirtualTable } from "./tables/table.ts";

export const AUTHENTICATOR = "org.apache.cassandra.auth.PasswordAuthenticator";
const EVENT_TYPES = new Set(["TOPOLOGY_CHANGE", "STATUS_CHANGE", "SCHEMA_CHANGE"]);
const OPCODE_NAMES: Record<number, string> = {
  1: "STARTUP",
  5: "OPTIONS",
  7: "QUERY",
  9: "PREPARE",
  10: "EXECUTE",
  11: "REGISTER",
  13: "BATCH",
  15: "AUTH_RESPONSE",
};

/** Services a connection needs from its server. */
export interface ConnectionHost {
  node: CqlNodeView;
  tables: (keyspace: string, name: string) => VirtualTable;
  /** Prepared statements are per node, shared by its connections (like Scylla's prepared cache). */
  prepared: Map<string, Prepared>;
  /** Called after a DDL statement succeeded on this connection. */
  onSchemaChange?: (change: SchemaChangeEvent) => void;
}

/**
 * The SUPPORTED options of a Scylla node, worded as Scylla's transport server sends them, so Scylla-aware drivers
 * (SM's gocql fork, scylla-driver) treat the node as Scylla: they then read `system.peers` (not `peers_v2`) and open
 * one connection per shard. No shard-aware port is advertised (the emulator has none), so drivers use the plain port.
 * COMPRESSION is empty: the emulator speaks uncompressed frames only (Scylla offers lz4 and snappy).
 * The protocol extensions are advertised because their effects never arise here: no LWT (so no LWT metadata mark)
 * and no rate limits (so no rate-limit error).
 */
export function scyllaSupported(shard: number, shards: number): Record<string, string[]> {
  return {
    CQL_VERSION: [CQL_VERSION],
    COMPRESSION: [],
    SCYLLA_SHARD: [String(shard)],
    SCYLLA_NR_SHARDS: [String(shards)],
    SCYLLA_SHARDING_ALGORITHM: ["biased-token-round-robin"],
    SCYLLA_SHARDING_IGNORE_MSB: ["12"],
    SCYLLA_PARTITIONER: ["org.apache.cassandra.dht.Murmur3Partitioner"],
    SCYLLA_LWT_ADD_METADATA_MARK: ["LWT_OPTIMIZATION_META_BIT_MASK=2147483648"],
    SCYLLA_RATE_LIMIT_ERROR: ["ERROR_CODE=61440"],
  };
}

/** Drives one socket until it closes. */
export class CqlConnection {
  private readonly decoder = new FrameDecoder();
  private version: number | undefined;
  private state: "new" | "authenticating" | "ready" = "new";
  private keyspace: string | undefined;
  readonly events = new Set<string>();

  constructor(
    private readonly socket: Socket,
    private readonly host: ConnectionHost,
    /** The shard this connection landed on (reported in SUPPORTED as SCYLLA_SHARD). */
    private readonly shard = 0,
  ) {
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", () => socket.destroy());
  }

  /** Protocol version the connection settled on (undefined before the first valid frame). */
  get protocolVersion(): number | undefined {
    return this.version;
  }

  /** Pushes an EVENT frame (stream -1) to this connection. */
  pushEvent(body: Buffer): void {
    if (this.version !== undefined && !this.socket.destroyed)
      this.socket.write(encodeResponse(this.version, -1, Opcode.Event, body));
  }

  private onData(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      if (err instanceof FrameTooLarge) {
        this.send(
          this.version ?? HIGHEST_VERSION,
          err.stream,
          Opcode.Error,
          encodeError(new CqlError(ErrorCode.Protocol, err.message)),
        );
        this.socket.end();
        return;
      }
      // Anything else means the byte stream is unusable: drop the connection rather than the process.
      this.socket.destroy();
      return;
    }
    for (const frame of frames) this.handle(frame);
  }

  private send(version: number, stream: number, opcode: number, body: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(encodeResponse(version, stream, opcode, body));
  }

  private handle(frame: Frame): void {
    if (frame.version !== 3 && frame.version !== 4) {
      // Scylla speaks v3/v4; the error uses our highest version (or the client's, if older) so drivers downgrade.
      const answer = Math.min(frame.version, HIGHEST_VERSION);
      const err = new CqlError(ErrorCode.Protocol, `Invalid or unsupported protocol version: ${frame.version}`);
      this.send(answer, frame.stream, Opcode.Error, encodeError(err));
      return;
    }
    if (this.version === undefined) this.version = frame.version;
    const version = this.version;
    try {
      if (frame.version !== version) {
        throw new CqlError(
          ErrorCode.Protocol,
          `Invalid message version. Got ${frame.version} but previous messages on this connection had version ${version}`,
        );
      }
      if (frame.flags & 0x01) throw new CqlError(ErrorCode.Protocol, "Compression is not enabled on this connection");
      const body = new BodyReader(frame.body);
      if (frame.flags & 0x04) skipCustomPayload(body);
      const [opcode, response] = this.dispatch(frame.opcode, body, version);
      this.send(version, frame.stream, opcode, response);
    } catch (err) {
      const cqlErr =
        err instanceof CqlError
          ? err
          : new CqlError(ErrorCode.Server, err instanceof Error ? err.message : String(err));
      this.send(version, frame.stream, Opcode.Error, encodeError(cqlErr));
    }
  }

  private dispatch(opcode: number, body: BodyReader, version: number): [number, Buffer] {
    if (opcode === Opcode.Options) {
      return [Opcode.Supported, encodeSupported(scyllaSupported(this.shard, this.host.node.shards ?? 1))];
    }
    if (this.state === "new") {
      if (opcode !== Opcode.Startup) throw this.unexpected(opcode, "STARTUP or OPTIONS");
      return this.startup(body);
    }
    if (this.state === "authenticating") {
      if (opcode !== Opcode.AuthResponse) throw this.unexpected(opcode, "SASL response");
      const creds = readPlainCredentials(body.bytes());
      const want = this.host.node.auth;
      if (!want || creds.username !== want.username || creds.password !== want.password) {
        throw new CqlError(ErrorCode.BadCredentials, BAD_CREDENTIALS_MESSAGE);
      }
      this.state = "ready";
      return [Opcode.AuthSuccess, Buffer.from([0xff, 0xff, 0xff, 0xff])];
    }
    switch (opcode) {
      case Opcode.Startup:
        throw new CqlError(ErrorCode.Protocol, "Unexpected message STARTUP, the connection is already initialized");
      case Opcode.Register: {
        for (const e of body.stringList()) {
          if (!EVENT_TYPES.has(e)) throw new CqlError(ErrorCode.Protocol, `Invalid value '${e}' for Type`);
          this.events.add(e);
        }
        return [Opcode.Ready, Buffer.alloc(0)];
      }
      case Opcode.Query: {
        const query = body.longString();
        const params = readQueryParameters(body, version);
        const p = prepareStatement(query, this.context());
        return [Opcode.Result, this.run(p, params.values, params)];
      }
      case Opcode.Prepare: {
        const query = body.longString();
        const p = prepareStatement(query, this.context());
        this.host.prepared.set(p.id.toString("hex"), p);
        return [Opcode.Result, encodePreparedResult(p, version)];
      }
      case Opcode.Execute: {
        const id = body.shortBytes();
        const params = readQueryParameters(body, version);
        const p = this.host.prepared.get(id.toString("hex"));
        if (!p) {
          throw new CqlError(
            ErrorCode.Unprepared,
            `Prepared query with ID ${id.toString("hex")} not found (either the query was not prepared on this host (maybe the host has been restarted?) or you have prepared too many queries and it has been evicted from the internal cache)`,
            { preparedId: Buffer.from(id) },
          );
        }
        return [Opcode.Result, this.run(p, params.values, params)];
      }
      case Opcode.Batch: {
        const batch = readBatch(body, version);
        for (const s of batch.statements) {
          const verb = (s.query ?? this.host.prepared.get(s.preparedId?.toString("hex") ?? "")?.query ?? "")
            .trim()
            .split(/\s+/)[0]
            ?.toUpperCase();
          if (verb !== "INSERT" && verb !== "UPDATE" && verb !== "DELETE") {
            throw new CqlError(
              ErrorCode.Invalid,
              "Invalid statement in batch: only UPDATE, INSERT and DELETE statements are allowed.",
            );
          }
        }
        const items = batch.statements.map((st) => {
          const p =
            st.query !== undefined
              ? prepareStatement(st.query, this.context())
              : this.host.prepared.get(st.preparedId?.toString("hex") ?? "");
          if (!p) {
            throw new CqlError(ErrorCode.Unprepared, "Prepared query in batch not found", {
              preparedId: st.preparedId,
            });
          }
          return { prepared: p, values: st.values };
        });
        return [Opcode.Result, runBatch(items, this.context())];
      }
      default:
        throw new CqlError(ErrorCode.Protocol, `Unknown opcode ${opcode}`);
    }
  }

  private startup(body: BodyReader): [number, Buffer] {
    const options = body.stringMap();
    if (!options.CQL_VERSION) throw new CqlError(ErrorCode.Protocol, "Missing value CQL_VERSION in STARTUP message");
    if (options.COMPRESSION)
      throw new CqlError(ErrorCode.Protocol, `Unknown compression algorithm: ${options.COMPRESSION}`);
    if (this.host.node.auth) {
      this.state = "authenticating";
      const w = Buffer.from(AUTHENTICATOR, "utf8");
      const len = Buffer.alloc(2);
      len.writeUInt16BE(w.length);
      return [Opcode.Authenticate, Buffer.concat([len, w])];
    }
    this.state = "ready";
    return [Opcode.Ready, Buffer.alloc(0)];
  }

  private unexpected(opcode: number, expecting: string): CqlError {
    return new CqlError(
      ErrorCode.Protocol,
      `Unexpected message ${OPCODE_NAMES[opcode] ?? opcode}, expecting ${expecting}`,
    );
  }

  private context(): ExecContext {
    return {
      node: this.host.node,
      tables: this.host.tables,
      keyspace: this.keyspace,
      version: this.version ?? HIGHEST_VERSION,
    };
  }

  private run(
    p: Prepared,
    values: ReturnType<typeof readQueryParameters>["values"],
    params: ReturnType<typeof readQueryParameters>,
  ): Buffer {
    const res = runPrepared(
      p,
      params.names ? orderNamedValues(p, params.names, values) : values,
      this.context(),
      params,
    );
    if (res.keyspace) this.keyspace = res.keyspace;
    if (res.schemaChange) this.host.onSchemaChange?.(res.schemaChange);
    return res.body;
  }
}

function skipCustomPayload(r: BodyReader): void {
  const n = r.short();
  for (let i = 0; i < n; i++) {
    r.string();
    r.bytes();
  }
}

/** Named values (flag 0x40) are matched to the bind markers by name. */
function orderNamedValues(p: Prepared, names: string[], values: ReturnType<typeof readQueryParameters>["values"]) {
  return p.bindColumns.map((col) => {
    const at = names.indexOf(col.name);
    if (at < 0) throw new CqlError(ErrorCode.Invalid, `No value for bind variable ${col.name}`);
    return values[at] ?? null;
  });
}
