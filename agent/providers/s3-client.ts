import { type PutObjectCommandInput, S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { FetchHttpHandler } from "@smithy/fetch-http-handler";
import { DEFAULT_CHUNK_SIZE, parseSize, type S3Config } from "./config.ts";
import {
  type HttpCallRecorder,
  InvalidArgumentBackendError,
  NotFoundBackendError,
  PermissionBackendError,
} from "./provider.ts";

/** S3 settings after SM's defaults are applied. */
export interface ResolvedS3Config {
  clientConfig: S3ClientConfig;
  chunkSize: number;
  uploadConcurrency: number;
  /** Attempts per request (`max_retries`), SDK retries included. */
  maxAttempts: number;
  /** Extra PutObject/CreateMultipartUpload/CopyObject parameters (SSE, storage class, ACL). */
  objectParams: Pick<PutObjectCommandInput, "ServerSideEncryption" | "SSEKMSKeyId" | "StorageClass" | "ACL">;
  /** SSE-KMS ETags are not MD5s of the content. */
  etagIsMd5: boolean;
}

/**
 * Applies SM's s3 defaults (provider AWS, chunk_size 50M, upload_concurrency 2, env_auth true) and maps the
 * keys to the AWS SDK: static keys when given; otherwise the SDK default chain (env, shared files, ECS/EC2
 * instance roles) when env_auth is on; anonymous requests when it is off. Non-AWS providers and custom
 * endpoints use path-style addressing unless force_path_style says otherwise.
 */
export function resolveS3Config(config: S3Config): ResolvedS3Config {
  if (config.endpoint !== undefined && config.endpoint !== "" && config.provider === undefined) {
    // SM validates this too: an endpoint without a provider is almost always a forgotten `provider: Minio`.
    throw new InvalidArgumentBackendError("s3: endpoint requires a provider (set s3.provider, e.g. Minio or Other)");
  }
  const provider = config.provider ?? "AWS";
  const endpoint = config.endpoint === "" ? undefined : config.endpoint;
  const clientConfig: S3ClientConfig = {
    region: config.region || process.env.AWS_REGION || "us-east-1",
    endpoint,
    forcePathStyle: config.force_path_style ?? (provider !== "AWS" || endpoint !== undefined),
    useAccelerateEndpoint: config.use_accelerate_endpoint ?? false,
    maxAttempts: config.max_retries ?? 5,
    retryMode: "standard",
    // CRC32 on every upload the SDK can checksum (trailing checksum for streams); downloads validated too.
    requestChecksumCalculation: "WHEN_SUPPORTED",
    responseChecksumValidation: "WHEN_SUPPORTED",
  };
  if (config.access_key_id && config.secret_access_key) {
    clientConfig.credentials = {
      accessKeyId: config.access_key_id,
      secretAccessKey: config.secret_access_key,
      sessionToken: config.session_token || undefined,
    };
  } else if (config.env_auth === false) {
    clientConfig.credentials = { accessKeyId: "", secretAccessKey: "" };
    clientConfig.signer = { sign: async (request) => request };
  }
  const objectParams: ResolvedS3Config["objectParams"] = {};
  const sse = config.server_side_encryption;
  if (sse !== undefined && sse !== "") {
    if (sse !== "AES256" && sse !== "aws:kms" && sse !== "aws:kms:dsse") {
      throw new InvalidArgumentBackendError(
        `s3: server_side_encryption must be AES256 or aws:kms, got ${JSON.stringify(sse)}`,
      );
    }
    objectParams.ServerSideEncryption = sse;
  }
  if (config.sse_kms_key_id) objectParams.SSEKMSKeyId = config.sse_kms_key_id;
  if (config.storage_class) objectParams.StorageClass = config.storage_class as PutObjectCommandInput["StorageClass"];
  if (config.acl) objectParams.ACL = config.acl as PutObjectCommandInput["ACL"];
  return {
    clientConfig,
    chunkSize: config.chunk_size === undefined ? DEFAULT_CHUNK_SIZE : parseSize(config.chunk_size),
    uploadConcurrency: config.upload_concurrency ?? 2,
    maxAttempts: config.max_retries ?? 5,
    objectParams,
    etagIsMd5: objectParams.ServerSideEncryption === undefined || objectParams.ServerSideEncryption === "AES256",
  };
}

/**
 * Reports the status of every HTTP response the client gets. The middleware sits in the deserialize step, inside
 * the SDK's retry loop, so each attempt counts (as rclone's HTTP transport metric does); an error response is
 * seen on the error the deserializer throws. Calls that got no response (connection errors) are not counted.
 */
export function addHttpCallRecorder(client: S3Client, record: HttpCallRecorder): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { hostname?: string; port?: number; method?: string };
      const host = request.port === undefined ? (request.hostname ?? "") : `${request.hostname}:${request.port}`;
      const method = request.method ?? "";
      try {
        const result = await next(args);
        const code = (result.response as { statusCode?: number }).statusCode;
        if (code !== undefined) record({ host, method, code });
        return result;
      } catch (err) {
        const code = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (code !== undefined) record({ host, method, code });
        throw err;
      }
    },
    { step: "deserialize", priority: "high", name: "smHttpStatusRecorder" },
  );
}

/**
 * Creates the SDK client. Under Bun its requests go through Bun's native fetch instead of the SDK's default
 * node:http handler (Bun's compatibility layer): a GET body then arrives as a web ReadableStream in large chunks,
 * and downloads and uploads cost less CPU per byte (the agent's transfers are CPU-bound on small machines).
 * Connection errors still carry ECONNRESET/ECONNREFUSED codes, so the SDK retries them as before.
 */
export function createS3Client(resolved: ResolvedS3Config): S3Client {
  if (typeof Bun === "undefined") return new S3Client(resolved.clientConfig);
  // keepAlive: fetch's `keepalive` flag means something else, and false could someday turn off connection reuse.
  return new S3Client({ ...resolved.clientConfig, requestHandler: new FetchHttpHandler({ keepAlive: true }) });
}

const NOT_FOUND = new Set(["NoSuchKey", "NotFound", "NoSuchUpload"]);
const FORBIDDEN = new Set([
  "AccessDenied",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "Forbidden",
  "InvalidToken",
  "ExpiredToken",
  "AllAccessDisabled",
]);

/** Maps an SDK error to a backend error with a readable message; other errors get the context prepended. */
export function mapS3Error(err: unknown, action: string): Error {
  if (!(err instanceof Error)) return new Error(`s3: ${action}: ${String(err)}`);
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const detail = err.message && err.message !== err.name ? `${err.name}: ${err.message}` : err.name;
  if (err.name === "NoSuchBucket") return new NotFoundBackendError(`s3: ${action}: bucket not found (${detail})`);
  if (NOT_FOUND.has(err.name) || status === 404)
    return new NotFoundBackendError(`s3: ${action}: not found (${detail})`);
  if (FORBIDDEN.has(err.name) || status === 403) {
    return new PermissionBackendError(
      `s3: ${action}: permission denied (${detail}); check the s3 credentials in the agent config`,
    );
  }
  if (err.name === "AbortError" || err.name === "CorruptedTransferError") return err;
  const wrapped = new Error(`s3: ${action}: ${detail}`, { cause: err });
  return wrapped;
}
