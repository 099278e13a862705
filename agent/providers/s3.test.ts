import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { BandwidthLimiter } from "../transfer/bwlimit.ts";
import { transferFile } from "../transfer/copy.ts";
import { LocalBackend } from "./local.ts";
import { S3Backend } from "./s3.ts";
import { resolveS3Config } from "./s3-client.ts";

/**
 * A tiny in-memory S3 that can be told to corrupt data, to prove the backend's checksum checks catch what
 * a real server would only do when something is broken (bit flips on the wire, a misbehaving proxy).
 */
function createFakeS3(corrupt: { etag?: boolean; body?: boolean; short?: boolean; webBody?: boolean }) {
  const objects = new Map<string, Buffer>();
  const md5 = (b: Buffer) => createHash("md5").update(b).digest("hex");
  const client = {
    async send(command: unknown) {
      if (command instanceof PutObjectCommand) {
        const body = command.input.Body as Buffer;
        objects.set(command.input.Key!, body);
        return { ETag: `"${corrupt.etag ? md5(Buffer.from("other")) : md5(body)}"` };
      }
      if (command instanceof HeadObjectCommand) {
        const body = objects.get(command.input.Key!);
        if (body === undefined) throw Object.assign(new Error("not found"), { name: "NotFound" });
        return { ContentLength: body.length, ETag: `"${md5(body)}"`, LastModified: new Date() };
      }
      if (command instanceof GetObjectCommand) {
        const body = objects.get(command.input.Key!)!;
        let sent = corrupt.body ? Buffer.from(body).fill(0x58, 0, 1) : body;
        if (corrupt.short) sent = sent.subarray(0, sent.length - 1);
        // Under Bun's fetch handler the SDK hands out a web stream, under node:http a Node stream.
        const Body = corrupt.webBody ? new Blob([sent]).stream() : Readable.from([sent]);
        return { Body, ContentLength: body.length, ETag: `"${md5(body)}"` };
      }
      if (command instanceof DeleteObjectCommand) {
        objects.delete(command.input.Key!);
        return {};
      }
      throw new Error(`unexpected command ${String(command)}`);
    },
  };
  const backend = new S3Backend(
    client as unknown as S3Client,
    resolveS3Config({ provider: "Minio", endpoint: "http://fake" }),
  );
  return { backend, objects };
}

describe("s3 checksum verification", () => {
  test("an upload whose ETag does not match the streamed MD5 is removed and reported", async () => {
    const { backend, objects } = createFakeS3({ etag: true });
    const write = backend.write("b/k.db", Readable.from([Buffer.from("payload")]), { size: 7 });
    await expect(write).rejects.toThrow(/corrupted transfer to s3:b\/k.db: ETag .* does not match/);
    expect(objects.has("k.db")).toBe(false);
  });

  test("a download whose bytes do not match the ETag fails before a clean end", async () => {
    const { backend } = createFakeS3({ body: true });
    await backend.write("b/k.db", Readable.from([Buffer.from("payload")]), { size: 7 });
    const read = async () => {
      for await (const _ of await backend.read("b/k.db")) {
      }
    };
    await expect(read()).rejects.toThrow(/corrupted download of s3:b\/k.db/);
  });

  test("intact data passes both ways", async () => {
    const { backend } = createFakeS3({});
    await backend.write("b/k.db", Readable.from([Buffer.from("payload")]), { size: 7 });
    const chunks: Buffer[] = [];
    for await (const chunk of await backend.read("b/k.db")) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe("payload");
    expect((await backend.stat("b/k.db"))?.md5).toBe(createHash("md5").update("payload").digest("hex"));
  });
});

describe("s3 listings", () => {
  /** A client whose listing and HEAD answer the same ETags: a single-part one (an MD5) and a multipart one. */
  function listed(config: Parameters<typeof resolveS3Config>[0]) {
    const objects = [
      { Key: "sst/a-Data.db", Size: 4, ETag: `"${"0".repeat(31)}a"`, LastModified: new Date(0) },
      { Key: "sst/b-Data.db", Size: 9, ETag: `"${"1".repeat(32)}-2"`, LastModified: new Date(0) },
    ];
    const client = {
      async send(command: unknown) {
        if (command instanceof ListObjectsV2Command) return { Contents: objects, IsTruncated: false };
        if (command instanceof HeadObjectCommand) {
          const o = objects.find((x) => `bucket/${x.Key}` === `bucket/${command.input.Key}`)!;
          return { ContentLength: o.Size, ETag: o.ETag, LastModified: o.LastModified };
        }
        throw new Error(`unexpected command ${String(command)}`);
      },
    };
    return new S3Backend(client as unknown as S3Client, resolveS3Config(config));
  }

  test("an entry carries what HEAD answers: the MD5 of a single-part ETag, none for a multipart one", async () => {
    const configs: Parameters<typeof resolveS3Config>[0][] = [
      { provider: "Minio", endpoint: "http://fake" },
      { server_side_encryption: "aws:kms" },
    ];
    for (const config of configs) {
      const backend = listed(config);
      const entries = [];
      for await (const e of backend.list("bucket/sst", { recurse: true, filesOnly: true })) entries.push(e);
      expect(entries.map((e) => e.complete)).toEqual([true, true]);
      for (const e of entries) {
        const { complete: _, ...fromList } = e;
        expect(fromList).toEqual((await backend.stat(`bucket/sst/${e.path}`))!);
      }
    }
    const [single] = await Array.fromAsync(listed({}).list("bucket/sst", { filesOnly: true }));
    expect(single?.md5).toBe(`${"0".repeat(31)}a`);
  });
});

describe("s3 downloads into a local disk (chunks, no Node streams)", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "s3-download-"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const download = async (backend: S3Backend) => {
    const local = new LocalBackend({ provider: "data", root, bucketed: false, syncEachFile: false });
    let counted = 0;
    await transferFile(backend, "b/k.db", local, "ks/k.db", {
      limiter: new BandwidthLimiter(0),
      onBytes: (bytes) => {
        counted += bytes;
      },
    });
    return counted;
  };

  test.each([
    ["node", false],
    ["web", true],
  ])("an intact %s-stream body arrives whole, counted", async (_kind, webBody) => {
    const { backend } = createFakeS3({ webBody });
    await backend.write("b/k.db", Readable.from([Buffer.from("payload")]), { size: 7 });
    expect(await download(backend)).toBe(7);
    expect(readFileSync(join(root, "ks", "k.db"), "utf8")).toBe("payload");
  });

  test.each([
    ["bytes that do not match the ETag", { body: true }, /corrupted download of s3:b\/k.db: MD5/],
    ["a body shorter than its Content-Length", { short: true }, /s3:b\/k.db: source declared 7 bytes but sent 6/],
  ])("%s fail the transfer and leave no file behind", async (_what, fault, message) => {
    for (const webBody of [false, true]) {
      const { backend } = createFakeS3({ ...fault, webBody });
      await backend.write("b/k.db", Readable.from([Buffer.from("payload")]), { size: 7 });
      await expect(download(backend)).rejects.toThrow(message);
      expect(readdirSync(join(root, "ks"))).toEqual([]); // no file under its name, no partial temp file
    }
  });
});

describe("s3 config", () => {
  test("SM defaults and addressing", () => {
    const aws = resolveS3Config({});
    expect(aws.chunkSize).toBe(50 * 1024 * 1024);
    expect(aws.uploadConcurrency).toBe(2);
    expect(aws.clientConfig.forcePathStyle).toBe(false);
    expect(aws.clientConfig.credentials).toBeUndefined(); // env_auth: the SDK default chain
    const minio = resolveS3Config({ provider: "Minio", endpoint: "http://h:9000", chunk_size: "5M" });
    expect(minio.clientConfig.forcePathStyle).toBe(true);
    expect(minio.chunkSize).toBe(5 * 1024 * 1024);
  });

  test("SSE-KMS turns off ETag-as-MD5 checks and passes the key id", () => {
    const kms = resolveS3Config({
      server_side_encryption: "aws:kms",
      sse_kms_key_id: "key-1",
      storage_class: "STANDARD_IA",
    });
    expect(kms.objectParams).toEqual({
      ServerSideEncryption: "aws:kms",
      SSEKMSKeyId: "key-1",
      StorageClass: "STANDARD_IA",
    });
    expect(kms.etagIsMd5).toBe(false);
    expect(() => resolveS3Config({ server_side_encryption: "rot13" })).toThrow(/AES256 or aws:kms/);
  });
});
