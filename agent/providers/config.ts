import * as v from "valibot";

/**
 * The agent YAML sections that configure storage providers (SM's `s3:`, `gcs:`, `azure:`, `localstorage:`
 * and the transfer knobs of `rclone:`), with SM's key names. Every key is optional; `resolve*` functions
 * apply SM's defaults. The agent config (agent/config) embeds these schemas.
 */

/** Sizes like rclone's SizeSuffix: "50M", "5Mi", "1048576b"; a bare number means KiB. */
const SizeSchema = v.union([
  v.number(),
  v.pipe(v.string(), v.regex(/^\d+(\.\d+)?([bkmgtp]i?b?)?$/i, "expected a size like 50M")),
]);

export const S3_PROVIDERS = [
  "AWS",
  "Minio",
  "Alibaba",
  "Ceph",
  "DigitalOcean",
  "IBMCOS",
  "Wasabi",
  "Dreamhost",
  "Netease",
  "Other",
] as const;

export const S3ConfigSchema = v.strictObject({
  access_key_id: v.optional(v.string()),
  secret_access_key: v.optional(v.string()),
  session_token: v.optional(v.string()),
  provider: v.optional(v.picklist(S3_PROVIDERS)),
  region: v.optional(v.string()),
  endpoint: v.optional(v.string()),
  env_auth: v.optional(v.boolean()),
  force_path_style: v.optional(v.boolean()),
  server_side_encryption: v.optional(v.string()),
  sse_kms_key_id: v.optional(v.string()),
  storage_class: v.optional(v.string()),
  use_accelerate_endpoint: v.optional(v.boolean()),
  chunk_size: v.optional(SizeSchema),
  upload_concurrency: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  disable_checksum: v.optional(v.boolean()),
  no_check_bucket: v.optional(v.boolean()),
  acl: v.optional(v.string()),
  bucket_acl: v.optional(v.string()),
  max_retries: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
});
export type S3Config = v.InferOutput<typeof S3ConfigSchema>;

export const GcsConfigSchema = v.strictObject({
  service_account_file: v.optional(v.string()),
  endpoint: v.optional(v.string()),
  project_number: v.optional(v.string()),
  storage_class: v.optional(v.string()),
  anonymous: v.optional(v.boolean()),
  bucket_policy_only: v.optional(v.boolean()),
  allow_create_bucket: v.optional(v.boolean()),
  chunk_size: v.optional(SizeSchema),
});
export type GcsConfig = v.InferOutput<typeof GcsConfigSchema>;

export const AzureConfigSchema = v.strictObject({
  account: v.optional(v.string()),
  key: v.optional(v.string()),
  /** Blob service URL override, e.g. azurite's `http://127.0.0.1:10000/devstoreaccount1`. */
  endpoint: v.optional(v.string()),
  /** A full connection string; wins over account/key/endpoint. */
  connection_string: v.optional(v.string()),
  use_msi: v.optional(v.boolean()),
  chunk_size: v.optional(SizeSchema),
  upload_concurrency: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  disable_checksum: v.optional(v.boolean()),
});
export type AzureConfig = v.InferOutput<typeof AzureConfigSchema>;

export const LocalstorageConfigSchema = v.strictObject({ path: v.optional(v.string()) });
export type LocalstorageConfig = v.InferOutput<typeof LocalstorageConfigSchema>;

/** The provider-related part of the agent config that `createBackends` reads. */
export interface ProvidersConfig {
  s3?: S3Config;
  gcs?: GcsConfig;
  azure?: AzureConfig;
  localstorage?: LocalstorageConfig;
}

const SIZE_UNITS: Record<string, number> = { B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4, P: 1024 ** 5 };

/** Parses an rclone size ("50M" = 50 MiB; a bare number = KiB, as rclone's SizeSuffix); numbers are bytes. */
export function parseSize(size: string | number): number {
  if (typeof size === "number") return size;
  const match = /^(\d+(?:\.\d+)?)([bkmgtp])?i?b?$/i.exec(size.trim());
  if (match === null)
    throw new RangeError(`invalid size ${JSON.stringify(size)}: use a number with a unit, e.g. "50M"`);
  return Math.round(Number(match[1]) * (SIZE_UNITS[(match[2] ?? "K").toUpperCase()] ?? 1024));
}

/** SM's default chunk size for every object store (rclone `chunk_size: 50M`). */
export const DEFAULT_CHUNK_SIZE = 50 * 1024 * 1024;
