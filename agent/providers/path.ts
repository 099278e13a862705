import { InvalidArgumentBackendError, PermissionBackendError } from "./provider.ts";

/**
 * Cleans a backend-relative path: `/`-separated, no empty or `.` segments, no `..`, no NUL bytes,
 * not absolute. Returns "" for the root. Rejections are PermissionBackendErrors (SM answers 403 for
 * path-traversal attempts).
 */
export function cleanRelativePath(path: string): string {
  if (path.includes("\0")) {
    throw new PermissionBackendError(`invalid path ${JSON.stringify(path)}: NUL bytes are not allowed`);
  }
  if (path.startsWith("/")) {
    throw new PermissionBackendError(`invalid path ${JSON.stringify(path)}: absolute paths are not allowed`);
  }
  const segments: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      throw new PermissionBackendError(`invalid path ${JSON.stringify(path)}: ".." is not allowed`);
    }
    segments.push(segment);
  }
  return segments.join("/");
}

/** Joins cleaned path parts with `/`, skipping empty ones. */
export function joinPath(...parts: string[]): string {
  return parts.filter((p) => p !== "").join("/");
}

/** Splits `<bucket>/<key>` into its bucket and key ("" when the path is just the bucket). */
export function splitBucketPath(path: string): { bucket: string; key: string } {
  const clean = cleanRelativePath(path);
  const slash = clean.indexOf("/");
  if (slash < 0) return { bucket: clean, key: "" };
  return { bucket: clean.slice(0, slash), key: clean.slice(slash + 1) };
}

/**
 * `<bucket>[/<key>]` split, refusing a path without a bucket. `provider` and `bucketWord` (what the provider calls a
 * bucket: "bucket", "container") word the error, e.g. `azure: a bucket (container) is required, e.g. azure:my-container`.
 */
export function requireBucketPath(
  path: string,
  provider: string,
  bucketWord = "bucket",
): { bucket: string; key: string } {
  const split = splitBucketPath(path);
  if (split.bucket === "") {
    const named = bucketWord === "bucket" ? "a bucket" : `a bucket (${bucketWord})`;
    throw new InvalidArgumentBackendError(`${provider}: ${named} is required, e.g. ${provider}:my-${bucketWord}`);
  }
  return split;
}

/** Like requireBucketPath, and refuses a bare bucket too: the path must name an object. */
export function requireObjectPath(
  path: string,
  provider: string,
  bucketWord = "bucket",
): { bucket: string; key: string } {
  const split = requireBucketPath(path, provider, bucketWord);
  if (split.key === "") {
    throw new InvalidArgumentBackendError(`${provider}: ${path} is a ${bucketWord}, a file path is required`);
  }
  return split;
}

/** Last segment of a `/`-separated path. */
export function baseName(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? path : path.slice(slash + 1);
}
