/**
 * Manifest bytes: gzip(JSON) exactly as SM writes them (Go's `json.Encoder` inside `gzip.Writer`: struct field
 * order, `<`/`>`/`&` escaped, nil slices as `null`, a trailing newline), and a streaming decoder that inflates and
 * parses the index one entry at a time, so a manifest of millions of files never sits in memory as one object.
 *
 * The decompressed JSON is byte-identical to SM's for the same content; the gzip framing around it is zlib's (Go's
 * deflate makes different, equally valid, compressed bytes; every gzip reader reads both).
 * @module
 */
import { Readable } from "node:stream";
import { createGunzip, createGzip } from "node:zlib";
import { INCOMPLETE, JsonSyntaxError, scanKey, scanValue, skipWhitespace } from "./json-scan.ts";
import {
  emptyManifestHeader,
  type FilesMeta,
  type Manifest,
  ManifestFormatError,
  type ManifestHeader,
  setHeaderField,
  toFilesMeta,
} from "./manifest.ts";

// ---- encoding ----

const GO_HTML_ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/** Characters that need escaping in Go's JSON (quotes, backslash, controls, HTML, line separators, surrogates). */
const NEEDS_ESCAPE = /["\\<>&\u0000-\u001f\u2028\u2029\ud800-\udfff]/;

/** A JSON string literal as Go's encoding/json writes it (HTML-safe escaping). */
export function goJsonString(value: string): string {
  // Fast path: SSTable names, keyspaces and paths never need escaping.
  if (!NEEDS_ESCAPE.test(value)) return `"${value}"`;
  const json = JSON.stringify(value);
  return /[<>&\u2028\u2029]/.test(json)
    ? json.replace(/[<>&\u2028\u2029]/g, (c) => GO_HTML_ESCAPES[c] as string)
    : json;
}

function stringList(values: readonly string[] | null): string {
  if (values === null) return "null";
  if (values.length === 0) return "[]";
  // Fast path without a quoted copy of every name: one join when no name needs escaping.
  let plain = true;
  for (const value of values) {
    if (NEEDS_ESCAPE.test(value)) {
      plain = false;
      break;
    }
  }
  if (plain) return `["${values.join('","')}"]`;
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) parts[i] = goJsonString(values[i] as string);
  return `[${parts.join(",")}]`;
}

function int(value: number): string {
  return Number.isFinite(value) ? String(Math.trunc(value)) : "0";
}

/** One index entry as SM's JSON (`FilesMeta` field order; `path` only when set). */
export function filesMetaJson(meta: FilesMeta): string {
  let out =
    `{"keyspace":${goJsonString(meta.keyspace)},"table":${goJsonString(meta.table)}` +
    `,"replication_type":${goJsonString(meta.replication_type)},"version":${goJsonString(meta.version)}` +
    `,"files":${stringList(meta.files)},"size":${int(meta.size)},"scylla_manifests":${stringList(meta.scylla_manifests)}`;
  if (meta.path !== undefined && meta.path !== "") out += `,"path":${goJsonString(meta.path)}`;
  return `${out}}`;
}

/** The header fields in SM's order, without braces and without the index (ends with a comma). */
function headerJson(h: ManifestHeader): string {
  const details: string[] = [];
  if (h.instance_details.cloud_provider)
    details.push(`"cloud_provider":${goJsonString(h.instance_details.cloud_provider)}`);
  if (h.instance_details.instance_type)
    details.push(`"instance_type":${goJsonString(h.instance_details.instance_type)}`);
  const tokens = h.tokens === null ? "null" : `[${h.tokens.join(",")}]`;
  return (
    `"version":${goJsonString(h.version)},"scylla_version":${goJsonString(h.scylla_version)}` +
    `,"cluster_name":${goJsonString(h.cluster_name)},"ip":${goJsonString(h.ip)},"size":${int(h.size)}` +
    `,"tokens":${tokens},"schema":${goJsonString(h.schema)},"rack":${goJsonString(h.rack)}` +
    `,"shard_count":${int(h.shard_count)},"cpu_count":${int(h.cpu_count)},"storage_size":${int(h.storage_size)}` +
    `,"instance_details":{${details.join(",")}},"dc":${goJsonString(h.dc)},"cluster_id":${goJsonString(h.cluster_id)}` +
    `,"node_id":${goJsonString(h.node_id)},"task_id":${goJsonString(h.task_id)}` +
    `,"snapshot_tag":${goJsonString(h.snapshot_tag)},`
  );
}

/**
 * The manifest JSON in pieces of about `chunkChars` characters (header first, then index entries), ending with
 * SM's trailing newline; joined they are exactly what SM's encoder writes.
 */
export function* manifestJsonChunks(manifest: Manifest, chunkChars = 1024 * 1024): Generator<string> {
  let buffer = `{${headerJson(manifest)}"index":`;
  if (manifest.index === null) {
    yield `${buffer}null}\n`;
    return;
  }
  buffer += "[";
  const index = manifest.index;
  for (let i = 0; i < index.length; i++) {
    buffer += (i > 0 ? "," : "") + filesMetaJson(index[i] as FilesMeta);
    if (buffer.length >= chunkChars) {
      yield buffer;
      buffer = "";
    }
  }
  yield `${buffer}]}\n`;
}

/** The manifest JSON as one string (small manifests and tests). */
export function manifestJson(manifest: Manifest): string {
  return Array.from(manifestJsonChunks(manifest)).join("");
}

/**
 * gzip compression level of manifests. 3 rather than zlib's default 6: on a 900 000-file manifest it compresses
 * about as well (the names are mostly random ids) in under half the time (`bench/manifest.ts`).
 */
export const MANIFEST_GZIP_LEVEL = 3;

/** gzip(JSON) of a manifest, streamed through zlib piece by piece. */
export async function encodeManifest(manifest: Manifest, level = MANIFEST_GZIP_LEVEL): Promise<Uint8Array> {
  const gzip = createGzip({ level });
  const out: Buffer[] = [];
  gzip.on("data", (chunk: Buffer) => out.push(chunk));
  const finished = new Promise<void>((resolve, reject) => {
    gzip.on("end", resolve);
    gzip.on("error", reject);
  });
  for (const piece of manifestJsonChunks(manifest)) {
    // Bytes, not strings: zlib streams take large buffers far faster than strings.
    if (!gzip.write(Buffer.from(piece, "utf8"))) await new Promise<void>((resolve) => gzip.once("drain", resolve));
  }
  gzip.end();
  await finished;
  return Buffer.concat(out);
}

// ---- decoding ----

type State = "start" | "first" | "field" | "index-open" | "index-first" | "index-item" | "index-sep" | "next" | "done";

/**
 * Incremental manifest parser: feed decompressed text; header fields are collected, each index entry is handed
 * to `onIndex` as soon as it is complete and then forgotten.
 */
export class ManifestParser {
  readonly header: ManifestHeader = emptyManifestHeader();
  /** Whether the manifest had `"index": null` (Go's nil) rather than an array. */
  indexNull = true;
  indexCount = 0;
  #text = "";
  #pos = 0;
  #state: State = "start";
  #wantChars = 0;
  readonly #onIndex: (meta: FilesMeta) => void;

  constructor(onIndex: (meta: FilesMeta) => void = () => {}) {
    this.#onIndex = onIndex;
  }

  /** Adds text; parses as far as it can. */
  push(text: string): void {
    if (this.#pos > 64 * 1024) {
      this.#text = this.#text.slice(this.#pos);
      this.#pos = 0;
    }
    this.#text += text;
    // After running out mid-value, wait until the pending value's text has doubled (no quadratic re-scans).
    if (this.#text.length - this.#pos < this.#wantChars) return;
    this.#run(false);
  }

  /** Ends the input; throws if the JSON is incomplete. */
  end(): void {
    this.#run(true);
    if (this.#state !== "done") throw new ManifestFormatError("manifest JSON is truncated");
    if (skipWhitespace(this.#text, this.#pos) < this.#text.length) {
      throw new ManifestFormatError("unexpected data after the manifest JSON");
    }
  }

  #run(final: boolean): void {
    const t = this.#text;
    try {
      for (;;) {
        switch (this.#state) {
          case "start": {
            const i = this.#expectAt(t);
            if (t[i] !== "{") throw new JsonSyntaxError("a manifest must be a JSON object");
            this.#pos = i + 1;
            this.#state = "first";
            break;
          }
          case "first": {
            const i = this.#expectAt(t);
            if (t[i] === "}") {
              this.#pos = i + 1;
              this.#state = "done";
            } else this.#state = "field";
            break;
          }
          case "field": {
            const key = scanKey(t, this.#pos);
            if (key.key === "index") {
              this.#pos = key.end;
              this.#state = "index-open";
              break;
            }
            const value = scanValue(t, key.end);
            setHeaderField(this.header, key.key, value.value);
            this.#pos = value.end;
            this.#state = "next";
            break;
          }
          case "index-open": {
            const i = this.#expectAt(t);
            if (t[i] === "[") {
              this.indexNull = false;
              this.#pos = i + 1;
              this.#state = "index-first";
            } else {
              const value = scanValue(t, i);
              if (value.value !== null) throw new ManifestFormatError("manifest field index: expected an array");
              this.#pos = value.end;
              this.#state = "next";
            }
            break;
          }
          case "index-first": {
            const i = this.#expectAt(t);
            if (t[i] === "]") {
              this.#pos = i + 1;
              this.#state = "next";
            } else this.#state = "index-item";
            break;
          }
          case "index-item": {
            const value = scanValue(t, this.#pos);
            const meta = toFilesMeta(value.value);
            this.#pos = value.end;
            this.#state = "index-sep";
            this.indexCount++;
            this.#onIndex(meta);
            break;
          }
          case "index-sep": {
            const i = this.#expectAt(t);
            if (t[i] === ",") this.#state = "index-item";
            else if (t[i] === "]") this.#state = "next";
            else throw new JsonSyntaxError("expected , or ] in the manifest index");
            this.#pos = i + 1;
            break;
          }
          case "next": {
            const i = this.#expectAt(t);
            if (t[i] === ",") this.#state = "field";
            else if (t[i] === "}") this.#state = "done";
            else throw new JsonSyntaxError("expected , or } in the manifest");
            this.#pos = i + 1;
            break;
          }
          case "done":
            this.#wantChars = 0;
            return;
        }
      }
    } catch (error) {
      if (error !== INCOMPLETE) {
        if (error instanceof JsonSyntaxError)
          throw new ManifestFormatError(`manifest is not valid JSON: ${error.message}`);
        throw error;
      }
      if (final) throw new ManifestFormatError("manifest JSON is truncated");
      this.#wantChars = (t.length - this.#pos) * 2;
    }
  }

  #expectAt(t: string): number {
    const i = skipWhitespace(t, this.#pos);
    if (i >= t.length) throw INCOMPLETE;
    return i;
  }
}

/** Gzip bytes, or chunks of them. */
export type ManifestSource = Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/**
 * Streams a gzipped manifest: returns its header (and how many index entries it had), handing each index entry to
 * `onIndex` as it is parsed. Memory stays at one entry plus zlib's window, whatever the manifest's size.
 */
export async function readManifest(
  source: ManifestSource,
  onIndex?: (meta: FilesMeta) => void,
): Promise<{ header: ManifestHeader; indexCount: number; indexNull: boolean }> {
  const parser = new ManifestParser(onIndex);
  const decoder = new TextDecoder("utf-8");
  const input = source instanceof Uint8Array ? Readable.from([source]) : Readable.from(source);
  const gunzip = createGunzip();
  input.on("error", (error) => gunzip.destroy(error));
  input.pipe(gunzip);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) parser.push(decoder.decode(chunk, { stream: true }));
  } catch (error) {
    if (isZlibError(error)) {
      throw new ManifestFormatError(`manifest is not valid gzip: ${(error as Error).message}`, { cause: error });
    }
    throw error;
  }
  parser.push(decoder.decode());
  parser.end();
  return { header: parser.header, indexCount: parser.indexCount, indexNull: parser.indexNull };
}

function isZlibError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("Z_");
}

/** Decodes a whole manifest into memory (header and index). */
export async function decodeManifest(source: ManifestSource): Promise<Manifest> {
  const index: FilesMeta[] = [];
  const { header, indexNull } = await readManifest(source, (meta) => index.push(meta));
  return { ...header, index: indexNull ? null : index };
}

/** Decodes a manifest JSON text that is not compressed (tests, tools). */
export function decodeManifestJson(text: string): Manifest {
  const index: FilesMeta[] = [];
  const parser = new ManifestParser((meta) => index.push(meta));
  parser.push(text);
  parser.end();
  return { ...parser.header, index: parser.indexNull ? null : index };
}
