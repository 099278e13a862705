/**
 * A small S3-compatible server over a local directory, for tests that need an object store without the external
 * tier (e.g. native restore, where the emulated Scylla nodes and our agents read the same bucket): each
 * subdirectory of `root` is a bucket, each file below it an object. Path-style addressing, no authentication
 * (signatures are ignored). Serves what the agents and the emulator's native API use: ListObjectsV2 (prefix,
 * delimiter, continuation), Get/Head (with Range), Put (plain or aws-chunked bodies, and CopyObject), Delete,
 * DeleteObjects, Head/CreateBucket. ETags are MD5s, as for a single-part upload. Every request is recorded in
 * `calls`, so a test can count what was read from the store.
 * @module
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";

/** One request the server answered. */
export interface MiniS3Call {
  method: string;
  bucket: string;
  key: string;
  status: number;
}

const xml = (s: string) =>
  s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");

function s3Error(status: number, code: string, message: string): Response {
  return new Response(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xml(message)}</Message></Error>`,
    { status, headers: { "content-type": "application/xml" } },
  );
}

/** Decodes an `aws-chunked` body (`<hex size>[;chunk-signature=..]\r\n<data>\r\n ... 0\r\n<trailers>\r\n\r\n`). */
function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf("\r\n", at);
    if (eol < 0) throw new Error("aws-chunked: missing chunk header");
    const size = Number.parseInt(body.subarray(at, eol).toString("latin1").split(";")[0] ?? "", 16);
    if (!Number.isFinite(size)) throw new Error("aws-chunked: bad chunk size");
    if (size === 0) return Buffer.concat(parts);
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

/** The server; {@link MiniS3.start} it, {@link MiniS3.close} it. */
export class MiniS3 {
  readonly calls: MiniS3Call[] = [];
  readonly #server: ReturnType<typeof Bun.serve>;
  readonly #root: string;
  readonly #etags = new Map<string, { stamp: string; etag: string }>();

  private constructor(root: string, host: string, port: number) {
    this.#root = root;
    this.#server = Bun.serve({
      hostname: host,
      port,
      maxRequestBodySize: 1024 * 1024 * 1024,
      fetch: async (req) => {
        const url = new URL(req.url);
        const path = decodeURIComponent(url.pathname).replace(/^\/+/, "");
        const slash = path.indexOf("/");
        const bucket = slash < 0 ? path : path.slice(0, slash);
        const key = slash < 0 ? "" : path.slice(slash + 1);
        let res: Response;
        try {
          res = await this.#handle(req, url, bucket, key);
        } catch (error) {
          res = s3Error(500, "InternalError", error instanceof Error ? error.message : String(error));
        }
        this.calls.push({ method: req.method, bucket, key, status: res.status });
        return res;
      },
    });
  }

  /** Serves `root` on `host` (a loopback IP); port 0 picks a free one. */
  static start(root: string, host: string, port = 0): MiniS3 {
    return new MiniS3(root, host, port);
  }

  /** `http://host:port`. */
  get url(): string {
    return `http://${this.#server.hostname}:${this.#server.port}`;
  }

  get host(): string {
    return this.#server.hostname ?? "";
  }

  get port(): number {
    return this.#server.port ?? 0;
  }

  /** Successful GETs of object keys matching `filter`: key → count. */
  reads(filter: (key: string) => boolean = () => true): Map<string, number> {
    const out = new Map<string, number>();
    for (const c of this.calls) {
      if (c.method === "GET" && c.key !== "" && c.status < 300 && filter(c.key)) {
        out.set(c.key, (out.get(c.key) ?? 0) + 1);
      }
    }
    return out;
  }

  close(): void {
    this.#server.stop(true);
  }

  #file(bucket: string, key: string): string {
    const full = join(this.#root, bucket, ...key.split("/"));
    if (relative(join(this.#root, bucket), full).startsWith("..")) throw new Error(`key escapes the bucket: ${key}`);
    return full;
  }

  #etag(file: string): string {
    const st = statSync(file);
    const stamp = `${st.size}:${st.mtimeMs}`;
    const cached = this.#etags.get(file);
    if (cached?.stamp === stamp) return cached.etag;
    const etag = createHash("md5").update(readFileSync(file)).digest("hex");
    this.#etags.set(file, { stamp, etag });
    return etag;
  }

  async #handle(req: Request, url: URL, bucket: string, key: string): Promise<Response> {
    if (bucket === "") return s3Error(400, "InvalidRequest", "path-style requests only");
    const bucketDir = join(this.#root, bucket);
    if (key === "") {
      if (req.method === "PUT") {
        mkdirSync(bucketDir, { recursive: true });
        return new Response(null, { status: 200 });
      }
      if (!existsSync(bucketDir)) return s3Error(404, "NoSuchBucket", `bucket ${bucket} does not exist`);
      if (req.method === "HEAD") return new Response(null, { status: 200 });
      if (req.method === "GET") return this.#list(bucket, url.searchParams);
      if (req.method === "POST" && url.searchParams.has("delete")) {
        const body = await req.text();
        const keys = [...body.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) =>
          (m[1] ?? "")
            .replaceAll("&lt;", "<")
            .replaceAll("&gt;", ">")
            .replaceAll("&quot;", '"')
            .replaceAll("&amp;", "&"),
        );
        for (const k of keys) rmSync(this.#file(bucket, k), { force: true });
        const deleted = keys.map((k) => `<Deleted><Key>${xml(k)}</Key></Deleted>`).join("");
        return new Response(`<?xml version="1.0" encoding="UTF-8"?>\n<DeleteResult>${deleted}</DeleteResult>`, {
          headers: { "content-type": "application/xml" },
        });
      }
      return s3Error(501, "NotImplemented", `${req.method} on a bucket`);
    }
    if (!existsSync(bucketDir)) return s3Error(404, "NoSuchBucket", `bucket ${bucket} does not exist`);
    if ([...url.searchParams.keys()].some((k) => k === "uploads" || k === "uploadId")) {
      return s3Error(501, "NotImplemented", "multipart uploads");
    }
    const file = this.#file(bucket, key);
    switch (req.method) {
      case "GET":
      case "HEAD":
        return this.#get(req, file, key);
      case "PUT":
        return this.#put(req, file);
      case "DELETE":
        rmSync(file, { force: true });
        return new Response(null, { status: 204 });
      default:
        return s3Error(405, "MethodNotAllowed", req.method);
    }
  }

  #get(req: Request, file: string, key: string): Response {
    if (!existsSync(file) || !statSync(file).isFile()) return s3Error(404, "NoSuchKey", `no such key: ${key}`);
    const st = statSync(file);
    const headers: Record<string, string> = {
      etag: `"${this.#etag(file)}"`,
      "last-modified": st.mtime.toUTCString(),
      "accept-ranges": "bytes",
      "content-type": "application/octet-stream",
    };
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.get("range") ?? "");
    let start = 0;
    let end = st.size - 1;
    let status = 200;
    if (range && st.size > 0) {
      start = range[1] === "" ? Math.max(0, st.size - Number(range[2])) : Number(range[1]);
      end = range[1] !== "" && range[2] !== "" ? Math.min(Number(range[2]), st.size - 1) : st.size - 1;
      status = 206;
      headers["content-range"] = `bytes ${start}-${end}/${st.size}`;
    }
    headers["content-length"] = String(Math.max(0, end - start + 1));
    if (req.method === "HEAD") return new Response(null, { status, headers });
    const body = st.size === 0 ? new Uint8Array() : Bun.file(file).slice(start, end + 1);
    return new Response(body, { status, headers });
  }

  async #put(req: Request, file: string): Promise<Response> {
    const copySource = req.headers.get("x-amz-copy-source");
    let data: Buffer;
    if (copySource !== null) {
      const src = decodeURIComponent(copySource).replace(/^\/+/, "");
      const i = src.indexOf("/");
      const from = this.#file(src.slice(0, i), src.slice(i + 1));
      if (!existsSync(from)) return s3Error(404, "NoSuchKey", `no such key: ${src}`);
      data = readFileSync(from);
    } else {
      data = Buffer.from(await req.arrayBuffer());
      const chunked =
        (req.headers.get("content-encoding") ?? "").includes("aws-chunked") ||
        (req.headers.get("x-amz-content-sha256") ?? "").startsWith("STREAMING-");
      if (chunked) data = decodeAwsChunked(data);
    }
    mkdirSync(dirname(file), { recursive: true });
    const temp = `${file}.mini-s3-${process.pid}-${Math.random().toString(36).slice(2)}`;
    writeFileSync(temp, data);
    renameSync(temp, file);
    const etag = createHash("md5").update(data).digest("hex");
    if (copySource !== null) {
      return new Response(
        `<?xml version="1.0" encoding="UTF-8"?>\n<CopyObjectResult><ETag>"${etag}"</ETag><LastModified>${new Date().toISOString()}</LastModified></CopyObjectResult>`,
        { headers: { "content-type": "application/xml" } },
      );
    }
    return new Response(null, { status: 200, headers: { etag: `"${etag}"` } });
  }

  #list(bucket: string, params: URLSearchParams): Response {
    const prefix = params.get("prefix") ?? "";
    const delimiter = params.get("delimiter") ?? "";
    const maxKeys = Math.max(1, Math.min(1000, Number(params.get("max-keys") ?? 1000) || 1000));
    const after = params.get("continuation-token") ?? params.get("start-after") ?? "";
    const bucketDir = join(this.#root, bucket);
    const keys: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const full = join(dir, e.name);
        if (e.isDirectory()) walk(full);
        else if (e.isFile() && !e.name.includes(".mini-s3-")) keys.push(relative(bucketDir, full).split(sep).join("/"));
      }
    };
    walk(bucketDir);
    keys.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)) as number);
    const contents: string[] = [];
    const prefixes: string[] = [];
    let last = "";
    let truncated = false;
    for (const key of keys) {
      if (!key.startsWith(prefix) || key <= after) continue;
      let entry = key;
      if (delimiter !== "") {
        const i = key.indexOf(delimiter, prefix.length);
        if (i >= 0) entry = key.slice(0, i + delimiter.length);
      }
      if (entry === last) continue;
      if (contents.length + prefixes.length >= maxKeys) {
        truncated = true;
        break;
      }
      if (entry !== key) {
        prefixes.push(entry);
      } else {
        const st = statSync(join(bucketDir, ...key.split("/")));
        contents.push(
          `<Contents><Key>${xml(key)}</Key><LastModified>${st.mtime.toISOString()}</LastModified><ETag>"${st.size.toString(16)}-${Math.floor(st.mtimeMs)}"</ETag><Size>${st.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
        );
      }
      last = entry;
    }
    // A common prefix ends past every key it holds, so the next page starts after the prefix's last key.
    const next = truncated ? (last.endsWith(delimiter) && delimiter !== "" ? `${last}\uffff` : last) : "";
    const body =
      `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
      `<Name>${xml(bucket)}</Name><Prefix>${xml(prefix)}</Prefix><KeyCount>${contents.length + prefixes.length}</KeyCount>` +
      `<MaxKeys>${maxKeys}</MaxKeys>${delimiter ? `<Delimiter>${xml(delimiter)}</Delimiter>` : ""}` +
      `<IsTruncated>${truncated}</IsTruncated>${truncated ? `<NextContinuationToken>${xml(next)}</NextContinuationToken>` : ""}` +
      contents.join("") +
      prefixes.map((p) => `<CommonPrefixes><Prefix>${xml(p)}</Prefix></CommonPrefixes>`).join("") +
      "</ListBucketResult>";
    return new Response(body, { headers: { "content-type": "application/xml" } });
  }
}
