import { pipeline, type Readable } from "node:stream";
import { pipeline as pipelineAsync } from "node:stream/promises";
import { type Bucket, type File, type FileMetadata, Storage } from "@google-cloud/storage";
import { HashingStream } from "../transfer/checksum.ts";
import { CorruptedTransferError } from "../transfer/errors.ts";
import { DEFAULT_CHUNK_SIZE, type GcsConfig, parseSize } from "./config.ts";
import { type ListedItem, toEntries } from "./object-list.ts";
import { baseName, requireBucketPath, requireObjectPath } from "./path.ts";
import {
  type Backend,
  type ListOptions,
  NotFoundBackendError,
  type ObjectEntry,
  type ObjectRetention,
  PermissionBackendError,
  type WriteOptions,
} from "./provider.ts";

/** Creates the `gcs` backend from the agent's `gcs:` config section. */
export function createGcsBackend(config: GcsConfig): GcsBackend {
  const endpoint = config.endpoint || undefined;
  const storage = new Storage({
    projectId: config.project_number || "scylla-manager-agent",
    // A custom endpoint (fake-gcs-server, a proxy) skips auth unless a key file is given; `anonymous`
    // forces a custom-endpoint form of the real URL so no credentials are looked up at all.
    apiEndpoint: endpoint ?? (config.anonymous ? "https://storage.googleapis.com/" : undefined),
    useAuthWithCustomEndpoint: !config.anonymous && config.service_account_file !== undefined,
    keyFilename: config.anonymous ? undefined : config.service_account_file || undefined,
    retryOptions: { autoRetry: true, maxRetries: 5 },
  });
  return new GcsBackend(storage, config);
}

/**
 * Google Cloud Storage. Uploads stream in one request (multipart) for small known sizes and as a
 * resumable session otherwise; GCS makes an object visible only when the upload is finalized, and the
 * client validates CRC32C/MD5 against what the server stored (deleting a mismatching object).
 */
export class GcsBackend implements Backend {
  readonly provider = "gcs";
  readonly isLocal = false;
  readonly storage: Storage;
  readonly #chunkSize: number;
  readonly #storageClass: string | undefined;

  constructor(storage: Storage, config: GcsConfig) {
    this.storage = storage;
    this.#chunkSize = config.chunk_size === undefined ? DEFAULT_CHUNK_SIZE : parseSize(config.chunk_size);
    this.#storageClass = config.storage_class || undefined;
  }

  async *list(dir: string, options: ListOptions = {}): AsyncIterable<ObjectEntry> {
    const { bucket, key } = requireBucket(dir);
    const prefix = key === "" ? "" : `${key}/`;
    const items = this.#listItems(this.storage.bucket(bucket), prefix, options.recurse === true);
    yield* toEntries(items, options, key === "" ? undefined : `gcs:${dir}`);
  }

  async *#listItems(bucket: Bucket, prefix: string, recurse: boolean): AsyncIterable<ListedItem> {
    let pageToken: string | undefined;
    do {
      const [files, next, raw] = await bucket
        .getFiles({ prefix, delimiter: recurse ? undefined : "/", autoPaginate: false, maxResults: 1000, pageToken })
        .catch((err: unknown) => {
          throw mapGcsError(err, `list ${bucket.name}/${prefix}`);
        });
      const prefixes = (raw as { prefixes?: string[] } | undefined)?.prefixes ?? [];
      for (const p of prefixes) {
        yield { kind: "prefix", rel: p.slice(prefix.length).replace(/\/$/, ""), size: 0, modTime: new Date(0) };
      }
      for (const file of files) {
        yield {
          kind: "object",
          rel: file.name.slice(prefix.length),
          size: Number(file.metadata.size ?? 0),
          modTime: updated(file),
          retention: retentionOf(file.metadata),
          eventBasedHold: file.metadata.eventBasedHold === true,
        };
      }
      pageToken = (next as { pageToken?: string } | null)?.pageToken;
    } while (pageToken !== undefined);
  }

  async stat(path: string): Promise<ObjectEntry | undefined> {
    const { bucket, key } = requireKey(path);
    try {
      const [meta] = await this.#file(bucket, key).getMetadata();
      return {
        path: baseName(key),
        name: baseName(key),
        size: Number(meta.size ?? 0),
        modTime: new Date(meta.updated ?? 0),
        isDir: false,
        md5: meta.md5Hash ? Buffer.from(meta.md5Hash, "base64").toString("hex") : undefined,
      };
    } catch (err) {
      const mapped = mapGcsError(err, `stat ${path}`);
      if (mapped instanceof NotFoundBackendError) return undefined;
      throw mapped;
    }
  }

  async read(path: string, signal?: AbortSignal): Promise<Readable> {
    const { bucket, key } = requireKey(path);
    const file = this.#file(bucket, key);
    const [meta] = await file.getMetadata().catch((err: unknown) => {
      throw mapGcsError(err, `read ${path}`);
    });
    // The client checks CRC32C/MD5 of the whole download itself; the size is checked here too.
    const body = file.createReadStream({ validation: true });
    const onAbort = () => body.destroy(signal?.reason as Error);
    signal?.addEventListener("abort", onAbort, { once: true });
    const verifier = new HashingStream({ expectedSize: Number(meta.size ?? 0), label: `gcs:${path}` });
    return pipeline(body, verifier, () => signal?.removeEventListener("abort", onAbort));
  }

  async write(path: string, body: Readable, options: WriteOptions = {}): Promise<void> {
    const { bucket, key } = requireKey(path);
    const file = this.#file(bucket, key);
    const hasher = new HashingStream({ expectedSize: options.size, label: `gcs:${path}` });
    const resumable = options.size === undefined || options.size > this.#chunkSize;
    const upload = file.createWriteStream({
      resumable,
      validation: "crc32c",
      metadata: this.#storageClass === undefined ? {} : { storageClass: this.#storageClass },
    });
    try {
      await pipelineAsync(body, hasher, upload, { signal: options.signal });
    } catch (err) {
      if (err instanceof CorruptedTransferError) throw err;
      throw mapGcsError(err, `upload ${path}`);
    }
    const stored = await this.stat(path);
    if (stored === undefined || stored.size !== hasher.digest?.size) {
      await file.delete({ ignoreNotFound: true }).catch(() => {});
      throw new CorruptedTransferError(
        `corrupted transfer to gcs:${path}: stored size ${stored?.size} differs from ${hasher.digest?.size} bytes sent`,
      );
    }
  }

  async delete(path: string): Promise<void> {
    const { bucket, key } = requireKey(path);
    try {
      await this.#file(bucket, key).delete({ ignoreNotFound: true });
    } catch (err) {
      throw mapGcsError(err, `delete ${path}`);
    }
  }

  async copy(src: string, dst: string): Promise<void> {
    const from = requireKey(src);
    const to = requireKey(dst);
    try {
      await this.#file(from.bucket, from.key).copy(this.#file(to.bucket, to.key));
    } catch (err) {
      throw mapGcsError(err, `copy ${src} to ${dst}`);
    }
  }

  async purge(dir: string): Promise<void> {
    const { bucket, key } = requireBucket(dir);
    const prefix = key === "" ? "" : `${key}/`;
    const b = this.storage.bucket(bucket);
    for await (const entry of this.list(dir, { recurse: true, filesOnly: true })) {
      await b
        .file(prefix + entry.path)
        .delete({ ignoreNotFound: true })
        .catch((err: unknown) => {
          throw mapGcsError(err, `purge ${dir}`);
        });
    }
  }

  /**
   * GCS object retention (objects PATCH with `retention: {mode: Unlocked|Locked, retainUntilTime}`). GCS itself
   * refuses shortening a Locked retention, and shortening or removing an Unlocked one without
   * `overrideUnlockedRetention=true`.
   */
  async setRetention(
    path: string,
    retention: ObjectRetention | null,
    options: { overrideUnlocked: boolean },
  ): Promise<void> {
    const { bucket, key } = requireKey(path);
    const metadata: FileMetadata = {
      retention:
        retention === null
          ? null
          : {
              mode: retention.mode === "locked" ? "Locked" : "Unlocked",
              retainUntilTime: retention.retainUntil.toISOString(),
            },
    };
    try {
      await this.#file(bucket, key).setMetadata(
        metadata,
        options.overrideUnlocked ? { overrideUnlockedRetention: true } : {},
      );
    } catch (err) {
      throw mapGcsError(err, `set retention of ${path}`);
    }
  }

  async setEventBasedHold(path: string, hold: boolean): Promise<void> {
    const { bucket, key } = requireKey(path);
    try {
      await this.#file(bucket, key).setMetadata({ eventBasedHold: hold });
    } catch (err) {
      throw mapGcsError(err, `${hold ? "set" : "release"} event-based hold of ${path}`);
    }
  }

  #file(bucket: string, key: string): File {
    return this.storage.bucket(bucket).file(key);
  }
}

/** The object's retention, absent when it has none (GCS modes are `Unlocked`/`Locked`). */
function retentionOf(meta: FileMetadata): ObjectRetention | undefined {
  const mode = meta.retention?.mode?.toLowerCase();
  const until = meta.retention?.retainUntilTime;
  if ((mode !== "unlocked" && mode !== "locked") || until === undefined) return undefined;
  return { mode, retainUntil: new Date(until) };
}

function updated(file: File): Date {
  return new Date(file.metadata.updated ?? 0);
}

/** Maps GCS ApiErrors to backend errors. */
export function mapGcsError(err: unknown, action: string): Error {
  if (!(err instanceof Error)) return new Error(`gcs: ${action}: ${String(err)}`);
  const code = (err as { code?: number | string }).code;
  const detail = err.message.split("\n")[0];
  if (code === 404) {
    const what = /bucket/i.test(err.message) ? "bucket not found" : "not found";
    return new NotFoundBackendError(`gcs: ${action}: ${what} (${detail})`);
  }
  if (code === 401 || code === 403) {
    return new PermissionBackendError(
      `gcs: ${action}: permission denied (${detail}); check gcs.service_account_file in the agent config`,
    );
  }
  if (code === "CONTENT_DOWNLOAD_MISMATCH" || code === "FILE_NO_UPLOAD" || code === "FILE_NO_UPLOAD_DELETE") {
    return new CorruptedTransferError(`gcs: ${action}: checksum mismatch (${detail})`);
  }
  if (err.name === "AbortError") return err;
  return new Error(`gcs: ${action}: ${detail}`, { cause: err });
}

function requireBucket(path: string): { bucket: string; key: string } {
  return requireBucketPath(path, "gcs");
}

function requireKey(path: string): { bucket: string; key: string } {
  return requireObjectPath(path, "gcs");
}
