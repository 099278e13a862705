import { createHash, randomBytes } from "node:crypto";
import { addAbortSignal, pipeline, type Readable } from "node:stream";
import {
  AnonymousCredential,
  BlobServiceClient,
  type BlockBlobClient,
  type ContainerClient,
  StorageSharedKeyCredential,
} from "@azure/storage-blob";
import { HashingStream } from "../transfer/checksum.ts";
import { CorruptedTransferError } from "../transfer/errors.ts";
import { readParts } from "./chunker.ts";
import { type AzureConfig, DEFAULT_CHUNK_SIZE, parseSize } from "./config.ts";
import { type ListedItem, toEntries } from "./object-list.ts";
import { baseName, requireBucketPath, requireObjectPath } from "./path.ts";
import {
  type Backend,
  type HttpCallRecorder,
  InvalidArgumentBackendError,
  type ListOptions,
  NotFoundBackendError,
  type ObjectEntry,
  PermissionBackendError,
  type WriteOptions,
} from "./provider.ts";

/** Azure allows at most 50,000 blocks per blob. */
const MAX_BLOCKS = 50_000;

/** Creates the `azure` backend from the agent's `azure:` config section (containers are the buckets). */
export function createAzureBackend(config: AzureConfig, recordHttpCall?: HttpCallRecorder): AzureBackend {
  const service = createServiceClient(config);
  if (recordHttpCall !== undefined) addHttpCallRecorder(service, recordHttpCall);
  return new AzureBackend(service, config);
}

/** The part of @azure/core-rest-pipeline's Pipeline this needs (the SDK does not export its type here). */
interface CorePipeline {
  addPolicy(
    policy: {
      name: string;
      sendRequest(
        request: { url: string; method: string },
        next: (request: { url: string; method: string }) => Promise<{ status: number }>,
      ): Promise<{ status: number }>;
    },
    options: { afterPhase: "Retry" },
  ): void;
}

/**
 * Reports the status of every HTTP response, retries included (the policy runs after the Retry phase). Every
 * container and blob client made from `service` shares its core pipeline. That pipeline is reached through
 * `storageClientContext`, which the SDK does not declare public: if a future version moves it, nothing is counted
 * rather than failing the backend.
 */
function addHttpCallRecorder(service: BlobServiceClient, record: HttpCallRecorder): void {
  const pipeline = (service as unknown as { storageClientContext?: { pipeline?: Partial<CorePipeline> } })
    .storageClientContext?.pipeline;
  if (typeof pipeline?.addPolicy !== "function") return;
  pipeline.addPolicy(
    {
      name: "smHttpStatusRecorder",
      async sendRequest(request, next) {
        const response = await next(request);
        record({ host: new URL(request.url).host, method: request.method, code: response.status });
        return response;
      },
    },
    { afterPhase: "Retry" },
  );
}

function createServiceClient(config: AzureConfig): BlobServiceClient {
  const retryOptions = { maxTries: 5 };
  if (config.connection_string)
    return BlobServiceClient.fromConnectionString(config.connection_string, { retryOptions });
  if (!config.account) {
    // SM turns on managed identity (use_msi) without an account; that needs @azure/identity, which this
    // agent does not ship, so say so instead of failing obscurely.
    throw new InvalidArgumentBackendError(
      "azure: set azure.account (and azure.key); managed identity (use_msi) is not supported",
    );
  }
  const url = config.endpoint || `https://${config.account}.blob.core.windows.net`;
  const credential = config.key
    ? new StorageSharedKeyCredential(config.account, config.key)
    : new AnonymousCredential();
  return new BlobServiceClient(url, credential, { retryOptions });
}

/**
 * Azure Blob Storage. Uploads stage blocks of `chunk_size` (each with a transactional MD5 the service
 * verifies), `upload_concurrency` at a time, and commit the block list at the end with the whole-blob MD5:
 * until the commit nothing is visible, and uncommitted blocks are garbage-collected by the service.
 */
export class AzureBackend implements Backend {
  readonly provider = "azure";
  readonly isLocal = false;
  readonly service: BlobServiceClient;
  readonly #chunkSize: number;
  readonly #concurrency: number;

  constructor(service: BlobServiceClient, config: AzureConfig) {
    this.service = service;
    this.#chunkSize = config.chunk_size === undefined ? DEFAULT_CHUNK_SIZE : parseSize(config.chunk_size);
    this.#concurrency = config.upload_concurrency ?? 2;
  }

  async *list(dir: string, options: ListOptions = {}): AsyncIterable<ObjectEntry> {
    const { bucket, key } = requireBucket(dir);
    const prefix = key === "" ? "" : `${key}/`;
    const items = this.#listItems(this.service.getContainerClient(bucket), prefix, options.recurse === true);
    yield* toEntries(items, options, key === "" ? undefined : `azure:${dir}`);
  }

  async *#listItems(container: ContainerClient, prefix: string, recurse: boolean): AsyncIterable<ListedItem> {
    try {
      if (recurse) {
        for await (const blob of container.listBlobsFlat({ prefix })) {
          const p = blob.properties;
          yield {
            kind: "object",
            rel: blob.name.slice(prefix.length),
            size: p.contentLength ?? 0,
            modTime: p.lastModified,
          };
        }
        return;
      }
      for await (const item of container.listBlobsByHierarchy("/", { prefix })) {
        if (item.kind === "prefix") {
          yield {
            kind: "prefix",
            rel: item.name.slice(prefix.length).replace(/\/$/, ""),
            size: 0,
            modTime: new Date(0),
          };
        } else {
          const p = item.properties;
          yield {
            kind: "object",
            rel: item.name.slice(prefix.length),
            size: p.contentLength ?? 0,
            modTime: p.lastModified,
          };
        }
      }
    } catch (err) {
      throw mapAzureError(err, `list ${container.containerName}/${prefix}`);
    }
  }

  async stat(path: string): Promise<ObjectEntry | undefined> {
    const { bucket, key } = requireKey(path);
    try {
      const props = await this.#blob(bucket, key).getProperties();
      return {
        path: baseName(key),
        name: baseName(key),
        size: props.contentLength ?? 0,
        modTime: props.lastModified ?? new Date(0),
        isDir: false,
        md5: props.contentMD5 === undefined ? undefined : Buffer.from(props.contentMD5).toString("hex"),
      };
    } catch (err) {
      const mapped = mapAzureError(err, `stat ${path}`);
      if (mapped instanceof NotFoundBackendError) return undefined;
      throw mapped;
    }
  }

  async read(path: string, signal?: AbortSignal): Promise<Readable> {
    const { bucket, key } = requireKey(path);
    const blob = this.#blob(bucket, key);
    const response = await blob.download(0, undefined, { abortSignal: signal }).catch((err: unknown) => {
      throw mapAzureError(err, `read ${path}`);
    });
    const body = response.readableStreamBody as Readable | undefined;
    if (body === undefined) throw new Error(`azure: read ${path}: no body in the response`);
    const stored = response.blobContentMD5 ?? response.contentMD5;
    const expectedMd5 = stored === undefined ? undefined : Buffer.from(stored).toString("hex");
    const verifier = new HashingStream({
      expectedSize: response.contentLength,
      label: `azure:${path}`,
      verify: (digest) =>
        expectedMd5 !== undefined && expectedMd5 !== digest.md5
          ? new CorruptedTransferError(`corrupted download of azure:${path}: MD5 ${digest.md5}, stored ${expectedMd5}`)
          : undefined,
    });
    return pipeline(body, verifier, () => {});
  }

  async write(path: string, body: Readable, options: WriteOptions = {}): Promise<void> {
    const { bucket, key } = requireKey(path);
    const blob = this.#blob(bucket, key);
    const blockSize = Math.max(this.#chunkSize, Math.ceil((options.size ?? 0) / MAX_BLOCKS));
    const hasher = new HashingStream({ expectedSize: options.size, label: `azure:${path}` });
    let streamError: unknown;
    const input = pipeline(body, hasher, (err) => {
      streamError ??= err ?? undefined;
    });
    input.on("error", () => {});
    if (options.signal !== undefined) addAbortSignal(options.signal, input); // stop reading the source at once
    // Block ids must all have the same length; a random prefix keeps concurrent writers of one name apart.
    const prefix = randomBytes(8).toString("hex");
    const ids: string[] = [];
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    try {
      for await (const part of readParts(input, blockSize, this.#concurrency + 1, options.size)) {
        const id = Buffer.from(`${prefix}-${String(ids.length).padStart(6, "0")}`).toString("base64");
        ids.push(id);
        const md5 = createHash("md5").update(part.data).digest();
        const staged: Promise<void> = blob
          .stageBlock(id, part.data, part.data.length, { transactionalContentMD5: md5, abortSignal: options.signal })
          .then(
            () => undefined,
            (err: unknown) => {
              failure ??= err;
            },
          )
          .finally(() => {
            inFlight.delete(staged);
            part.release();
          });
        inFlight.add(staged);
        while (inFlight.size >= this.#concurrency) await Promise.race(inFlight);
        if (failure !== undefined) break;
      }
      await Promise.all(inFlight);
      if (failure !== undefined) throw failure;
      const md5 = Buffer.from(hasher.digest!.md5, "hex");
      await blob.commitBlockList(ids, { blobHTTPHeaders: { blobContentMD5: md5 }, abortSignal: options.signal });
    } catch (err) {
      input.destroy();
      await Promise.all(inFlight);
      throw streamError instanceof Error ? streamError : mapAzureError(err, `upload ${path}`);
    }
  }

  async delete(path: string): Promise<void> {
    const { bucket, key } = requireKey(path);
    try {
      await this.#blob(bucket, key).deleteIfExists();
    } catch (err) {
      throw mapAzureError(err, `delete ${path}`);
    }
  }

  async copy(src: string, dst: string): Promise<void> {
    const from = requireKey(src);
    const to = requireKey(dst);
    try {
      const poller = await this.#blob(to.bucket, to.key).beginCopyFromURL(this.#blob(from.bucket, from.key).url);
      await poller.pollUntilDone();
    } catch (err) {
      throw mapAzureError(err, `copy ${src} to ${dst}`);
    }
  }

  async purge(dir: string): Promise<void> {
    const { bucket, key } = requireBucket(dir);
    const prefix = key === "" ? "" : `${key}/`;
    const container = this.service.getContainerClient(bucket);
    for await (const entry of this.list(dir, { recurse: true, filesOnly: true })) {
      await container.deleteBlob(prefix + entry.path, { deleteSnapshots: "include" }).catch((err: unknown) => {
        const mapped = mapAzureError(err, `purge ${dir}`);
        if (!(mapped instanceof NotFoundBackendError)) throw mapped;
      });
    }
  }

  #blob(bucket: string, key: string): BlockBlobClient {
    return this.service.getContainerClient(bucket).getBlockBlobClient(key);
  }
}

/** Maps Azure RestErrors to backend errors. */
export function mapAzureError(err: unknown, action: string): Error {
  if (!(err instanceof Error)) return new Error(`azure: ${action}: ${String(err)}`);
  const status = (err as { statusCode?: number }).statusCode;
  const code = (err as { code?: string }).code ?? err.name;
  const detail = `${code}: ${err.message.split("\n")[0]}`;
  if (code === "ContainerNotFound") return new NotFoundBackendError(`azure: ${action}: bucket (container) not found`);
  if (status === 404) return new NotFoundBackendError(`azure: ${action}: not found (${detail})`);
  if (status === 403 || status === 401) {
    return new PermissionBackendError(
      `azure: ${action}: permission denied (${detail}); check azure.account and azure.key in the agent config`,
    );
  }
  if (err.name === "AbortError" || err.name === "CorruptedTransferError") return err;
  return new Error(`azure: ${action}: ${detail}`, { cause: err });
}

function requireBucket(path: string): { bucket: string; key: string } {
  return requireBucketPath(path, "azure", "container");
}

function requireKey(path: string): { bucket: string; key: string } {
  return requireObjectPath(path, "azure", "container");
}
