import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { crc32 } from "node:zlib";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { BandwidthLimiter } from "../transfer/bwlimit.ts";
import { transferFile } from "../transfer/copy.ts";
import { createDataBackend } from "./data.ts";
import { LazyBackend } from "./lazy.ts";
import { S3Backend } from "./s3.ts";
import { resolveS3Config } from "./s3-client.ts";

const MiB = 1024 * 1024;
const md5 = (b: Buffer) => createHash("md5").update(b).digest();

type Hook = (command: unknown, body: Buffer) => void | Promise<void>;

/**
 * An in-memory S3 that checks what a real server checks on an upload: the body length against
 * Content-Length, Content-MD5 (BadDigest) and x-amz-checksum-crc32. Multipart parts stay invisible until
 * the upload completes. `hook` runs on every upload request after its body arrived (to fail or tamper).
 */
function fakeS3(hook?: Hook) {
  const objects = new Map<string, Buffer>();
  const uploads = new Map<string, Map<number, Buffer>>();
  const bodyKinds: string[] = [];
  const fail = (name: string, status: number) =>
    Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
  async function readBody(body: unknown): Promise<Buffer> {
    if (Buffer.isBuffer(body) || body instanceof Uint8Array) {
      bodyKinds.push("buffer");
      return Buffer.from(body);
    }
    bodyKinds.push("stream");
    const chunks: Buffer[] = [];
    for await (const chunk of body as Readable) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
  function check(input: { ContentMD5?: string; ChecksumCRC32?: string; ContentLength?: number }, data: Buffer) {
    if (input.ContentLength !== undefined && input.ContentLength !== data.length) throw fail("IncompleteBody", 400);
    if (input.ContentMD5 !== undefined && input.ContentMD5 !== md5(data).toString("base64"))
      throw fail("BadDigest", 400);
    if (input.ChecksumCRC32 !== undefined) {
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(data) >>> 0);
      if (input.ChecksumCRC32 !== crc.toString("base64")) throw fail("BadDigest", 400);
    }
  }
  const client = {
    async send(command: unknown) {
      if (command instanceof PutObjectCommand) {
        const data = await readBody(command.input.Body);
        await hook?.(command, data);
        check(command.input, data);
        objects.set(command.input.Key!, data);
        return { ETag: `"${md5(data).toString("hex")}"` };
      }
      if (command instanceof CreateMultipartUploadCommand) {
        const id = `u${uploads.size + 1}`;
        uploads.set(id, new Map());
        return { UploadId: id };
      }
      if (command instanceof UploadPartCommand) {
        const data = await readBody(command.input.Body);
        await hook?.(command, data);
        check(command.input, data);
        uploads.get(command.input.UploadId!)!.set(command.input.PartNumber!, data);
        return { ETag: `"${md5(data).toString("hex")}"` };
      }
      if (command instanceof CompleteMultipartUploadCommand) {
        const parts = uploads.get(command.input.UploadId!)!;
        const listed = command.input.MultipartUpload!.Parts!;
        const data = Buffer.concat(listed.map((p) => parts.get(p.PartNumber!)!));
        uploads.delete(command.input.UploadId!);
        objects.set(command.input.Key!, data);
        const etag = md5(Buffer.concat(listed.map((p) => md5(parts.get(p.PartNumber!)!)))).toString("hex");
        return { ETag: `"${etag}-${listed.length}"` };
      }
      if (command instanceof AbortMultipartUploadCommand) {
        uploads.delete(command.input.UploadId!);
        return {};
      }
      if (command instanceof HeadObjectCommand) {
        const data = objects.get(command.input.Key!);
        if (data === undefined) throw fail("NotFound", 404);
        return { ContentLength: data.length, ETag: `"${md5(data).toString("hex")}"`, LastModified: new Date() };
      }
      if (command instanceof DeleteObjectCommand) {
        objects.delete(command.input.Key!);
        return {};
      }
      throw new Error(`unexpected command ${String(command)}`);
    },
  };
  const config = resolveS3Config({ provider: "Minio", endpoint: "http://fake", chunk_size: "5M", max_retries: 3 });
  const backend = new S3Backend(client as unknown as S3Client, config);
  return { backend, objects, uploads, bodyKinds };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "s3-stream-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function sourceFile(name: string, size: number): Buffer {
  const data = Buffer.alloc(size);
  for (let i = 0; i + 4 <= size; i += 4) data.writeUInt32LE((i * 2654435761) >>> 0, i);
  writeFileSync(join(dir, name), data);
  return data;
}

describe("s3 uploads from a local file (ranges streamed with their checksums)", () => {
  test("a file over chunk_size is sent as streamed parts with Content-MD5 and arrives byte-identical", async () => {
    const s3 = fakeS3();
    const data = sourceFile("big.db", 12 * MiB + 5);
    await transferFile(createDataBackend(dir), "big.db", s3.backend, "b/k/big.db");
    expect(s3.objects.get("k/big.db")?.equals(data)).toBe(true);
    expect(s3.bodyKinds).toEqual(["stream", "stream", "stream"]); // 5 + 5 + 2 MiB parts, none buffered
    expect(s3.uploads.size).toBe(0);
  });

  test("the agent's lazily loaded s3 backend streams too", async () => {
    const s3 = fakeS3();
    const data = sourceFile("big.db", 6 * MiB);
    const lazy = new LazyBackend("s3", async () => s3.backend);
    await transferFile(createDataBackend(dir), "big.db", lazy, "b/k/big.db");
    expect(s3.objects.get("k/big.db")?.equals(data)).toBe(true);
    expect(s3.bodyKinds).toEqual(["stream", "stream"]);
  });

  test("a file between 1 MiB and chunk_size is one streamed PutObject", async () => {
    const s3 = fakeS3();
    const data = sourceFile("mid.db", 3 * MiB);
    await transferFile(createDataBackend(dir), "mid.db", s3.backend, "b/k/mid.db");
    expect(s3.objects.get("k/mid.db")?.equals(data)).toBe(true);
    expect(s3.bodyKinds).toEqual(["stream"]);
  });

  test("small files keep the buffered single request", async () => {
    const s3 = fakeS3();
    const data = sourceFile("small.db", 1000);
    await transferFile(createDataBackend(dir), "small.db", s3.backend, "b/k/small.db");
    expect(s3.objects.get("k/small.db")?.equals(data)).toBe(true);
    expect(s3.bodyKinds).toEqual(["buffer"]);
  });

  test("a part failing with 503 is sent again from a fresh stream", async () => {
    let failures = 0;
    const s3 = fakeS3((command) => {
      if (command instanceof UploadPartCommand && command.input.PartNumber === 2 && failures++ === 0)
        throw Object.assign(new Error("SlowDown"), { name: "SlowDown", $metadata: { httpStatusCode: 503 } });
    });
    const data = sourceFile("big.db", 11 * MiB);
    await transferFile(createDataBackend(dir), "big.db", s3.backend, "b/k/big.db");
    expect(failures).toBe(2);
    expect(s3.objects.get("k/big.db")?.equals(data)).toBe(true);
  });

  test("a file rewritten during the upload: the server refuses the part, nothing is visible, the upload is aborted", async () => {
    const data = sourceFile("big.db", 11 * MiB);
    let rewritten = false;
    const s3 = fakeS3((command) => {
      if (command instanceof UploadPartCommand && !rewritten) {
        rewritten = true;
        // Same size, other bytes, a new mtime: what was checksummed is not what the next reads see.
        writeFileSync(join(dir, "big.db"), Buffer.alloc(data.length, 7));
        utimesSync(join(dir, "big.db"), new Date(), new Date(Date.now() + 5000));
      }
    });
    const write = transferFile(createDataBackend(dir), "big.db", s3.backend, "b/k/big.db");
    await expect(write).rejects.toThrow(/corrupted transfer: data:big.db changed/);
    expect(s3.objects.has("k/big.db")).toBe(false);
    expect(s3.uploads.size).toBe(0);
  });

  test("a single streamed request whose source changed meanwhile is removed again", async () => {
    sourceFile("mid.db", 2 * MiB);
    const s3 = fakeS3(() => {
      writeFileSync(join(dir, "mid.db"), Buffer.alloc(2 * MiB, 9));
      utimesSync(join(dir, "mid.db"), new Date(), new Date(Date.now() + 5000));
    });
    const write = transferFile(createDataBackend(dir), "mid.db", s3.backend, "b/k/mid.db");
    await expect(write).rejects.toThrow(/corrupted transfer/);
    expect(s3.objects.has("k/mid.db")).toBe(false);
  });

  test("a permission error is not retried and aborts the multipart upload", async () => {
    let calls = 0;
    const s3 = fakeS3((command) => {
      if (command instanceof UploadPartCommand) {
        calls++;
        throw Object.assign(new Error("AccessDenied"), { name: "AccessDenied", $metadata: { httpStatusCode: 403 } });
      }
    });
    sourceFile("big.db", 11 * MiB);
    const write = transferFile(createDataBackend(dir), "big.db", s3.backend, "b/k/big.db");
    await expect(write).rejects.toMatchObject({ name: "PermissionBackendError" });
    expect(calls).toBeLessThanOrEqual(2); // the parts already in flight, no retries
    expect(s3.uploads.size).toBe(0);
    expect(s3.objects.has("k/big.db")).toBe(false);
  });

  test("the bandwidth limit sees the streamed bytes once, not the checksum pass", async () => {
    const s3 = fakeS3();
    sourceFile("big.db", 11 * MiB);
    let taken = 0;
    const limiter = new (class extends BandwidthLimiter {
      override async take(bytes: number, signal?: AbortSignal): Promise<void> {
        taken += bytes;
        await super.take(bytes, signal);
      }
    })(1024 * MiB);
    await transferFile(createDataBackend(dir), "big.db", s3.backend, "b/k/big.db", { limiter });
    expect(taken).toBe(11 * MiB);
  });

  test("a stopped transfer aborts the upload and leaves nothing", async () => {
    const controller = new AbortController();
    const s3 = fakeS3((command) => {
      if (command instanceof UploadPartCommand) controller.abort(new Error("job stopped"));
    });
    sourceFile("big.db", 16 * MiB);
    const write = transferFile(createDataBackend(dir), "big.db", s3.backend, "b/k/big.db", {
      signal: controller.signal,
    });
    await expect(write).rejects.toThrow();
    expect(s3.uploads.size).toBe(0);
    expect(s3.objects.has("k/big.db")).toBe(false);
  });
});
