import { ValidationError } from "../../src/errors.ts";
import type { AzureConfig, GcsConfig, ProvidersConfig, S3Config } from "./config.ts";
import { createDataBackend, createLocalstorageBackend } from "./data.ts";
import { LazyBackend } from "./lazy.ts";
import { cleanRelativePath, joinPath } from "./path.ts";
import type { Backend, HttpCallRecorder } from "./provider.ts";

/** A parsed rclone remote `<provider>:<bucket>/<path>`. */
export interface Remote {
  provider: string;
  /** "" for `data` (its paths start at the data dir) and for a bare `<provider>:`. */
  bucket: string;
  /** Path below the bucket, cleaned ("" = the bucket root). */
  path: string;
}

const PROVIDER_RE = /^[a-z0-9]+$/;
const BUCKET_RE = /^[a-z0-9\-.]+$/;

/** Providers whose remotes have no bucket segment. */
const UNBUCKETED = new Set(["data"]);

/**
 * Parses `s3:bucket/path/x` into provider, bucket and path with SM's location rules: provider `[a-z0-9]+`,
 * bucket `[a-z0-9\-.]+` (DNS-like); the path must not contain `..`, NUL bytes or start with `/`.
 * Throws ValidationError naming what is wrong.
 */
export function parseRemote(remote: string): Remote {
  const colon = remote.indexOf(":");
  if (colon < 0) {
    throw new ValidationError(
      `invalid remote ${JSON.stringify(remote)}: expected <provider>:<bucket>/<path>, e.g. s3:my-bucket/backup`,
    );
  }
  const provider = remote.slice(0, colon);
  if (!PROVIDER_RE.test(provider)) {
    throw new ValidationError(`invalid remote ${JSON.stringify(remote)}: provider must match [a-z0-9]+`);
  }
  const rest = remote.slice(colon + 1);
  let path: string;
  try {
    path = cleanRelativePath(rest);
  } catch (err) {
    throw new ValidationError(`invalid remote ${JSON.stringify(remote)}: ${(err as Error).message}`);
  }
  if (UNBUCKETED.has(provider)) return { provider, bucket: "", path };
  const slash = path.indexOf("/");
  const bucket = slash < 0 ? path : path.slice(0, slash);
  if (bucket !== "" && !BUCKET_RE.test(bucket)) {
    throw new ValidationError(
      `invalid remote ${JSON.stringify(remote)}: the bucket name must be DNS compliant (lowercase letters, digits, '-' and '.')`,
    );
  }
  return { provider, bucket, path: slash < 0 ? "" : path.slice(slash + 1) };
}

/** The path a backend takes for a remote (`<bucket>/<path>`), optionally extended by an rc `remote` param. */
export function backendPath(remote: Remote, sub = ""): string {
  let cleanSub: string;
  try {
    cleanSub = cleanRelativePath(sub);
  } catch (err) {
    throw new ValidationError(`invalid remote path ${JSON.stringify(sub)}: ${(err as Error).message}`);
  }
  return joinPath(remote.bucket, remote.path, cleanSub);
}

export interface CreateBackendsOptions {
  /** Scylla's data directory (`scylla.data_directory`): the root of the `data` provider. */
  dataDir: string;
  /** Gets the status of every object-store HTTP call (`s3` and `azure` report them; `gcs` does not yet). */
  recordHttpCall?: HttpCallRecorder;
}

/**
 * Builds the agent's backends as SM registers its rclone remotes: `data` (jailed to the data dir), `s3`,
 * `gcs` and `azure` (always, with SM's defaults; their SDKs load on first use), and `localstorage` only
 * when `localstorage.path` is set.
 */
export function createBackends(config: ProvidersConfig, options: CreateBackendsOptions): Map<string, Backend> {
  const backends = new Map<string, Backend>();
  backends.set("data", createDataBackend(options.dataDir));
  const s3: S3Config = config.s3 ?? {};
  backends.set(
    "s3",
    new LazyBackend("s3", async () => (await import("./s3.ts")).createS3Backend(s3, options.recordHttpCall)),
  );
  const gcs: GcsConfig = config.gcs ?? {};
  backends.set(
    "gcs",
    new LazyBackend("gcs", async () => (await import("./gcs.ts")).createGcsBackend(gcs), { objectLocks: true }),
  );
  const azure: AzureConfig = config.azure ?? {};
  backends.set(
    "azure",
    new LazyBackend("azure", async () =>
      (await import("./azure.ts")).createAzureBackend(azure, options.recordHttpCall),
    ),
  );
  const localPath = config.localstorage?.path;
  if (localPath !== undefined && localPath !== "") backends.set("localstorage", createLocalstorageBackend(localPath));
  return backends;
}

/** Looks up the backend for a remote; unknown providers are a ValidationError (SM answers 400). */
export function resolveBackend(backends: Map<string, Backend>, remote: Remote): Backend {
  const backend = backends.get(remote.provider);
  if (backend === undefined) {
    const known = [...backends.keys()].join(", ");
    throw new ValidationError(`unknown provider ${JSON.stringify(remote.provider)}: registered providers are ${known}`);
  }
  return backend;
}
