/**
 * What a native backup or restore talks to: the node's `object_storage_endpoints` entry named by `endpoint=`, an S3
 * client for it (path-style, credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY as Scylla reads them), and
 * the version gates SM and Scylla share.
 * @module
 */
import { S3Client } from "@aws-sdk/client-s3";
import * as v from "valibot";
import type { NodeContext } from "../node-context.ts";
import { RestError } from "../rest/rest-error.ts";

/** The value of one `object_storage_endpoints` entry (a JSON string in the node settings). */
const EndpointSchema = v.object({
  port: v.optional(v.union([v.number(), v.string()])),
  use_https: v.optional(v.union([v.boolean(), v.string()])),
  aws_region: v.optional(v.string()),
  type: v.optional(v.string()),
});

/** A resolved endpoint. */
export interface ObjectStorageEndpoint {
  name: string;
  /** Base URL (`http(s)://name:port`, or the name itself when it is already a URL). */
  url: string;
  region: string;
}

/** Resolves `endpoint=`; an unknown name is Scylla's 400 (std::invalid_argument). */
export function resolveEndpoint(node: NodeContext, name: string): ObjectStorageEndpoint {
  const raw = node.settings.objectStorageEndpoints[name];
  if (raw === undefined) throw new RestError(400, `endpoint ${name} not found`);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new RestError(500, `object_storage_endpoints: entry ${name} is not valid JSON`);
  }
  const parsed = v.safeParse(EndpointSchema, json);
  if (!parsed.success) throw new RestError(500, `object_storage_endpoints: entry ${name}: ${parsed.issues[0].message}`);
  const e = parsed.output;
  const https = e.use_https === true || e.use_https === "true";
  const url = /^https?:\/\//.test(name)
    ? name
    : `${https ? "https" : "http"}://${name}${e.port === undefined ? "" : `:${e.port}`}`;
  return { name, url, region: e.aws_region || process.env.AWS_DEFAULT_REGION || "us-east-1" };
}

/** An S3 client for an endpoint, signing with the environment's keys (unsigned when there are none). */
export function createEndpointClient(endpoint: ObjectStorageEndpoint): S3Client {
  const id = process.env.AWS_ACCESS_KEY_ID;
  const secret = process.env.AWS_SECRET_ACCESS_KEY;
  return new S3Client({
    endpoint: endpoint.url,
    region: endpoint.region,
    forcePathStyle: true,
    ...(id && secret
      ? {
          credentials: {
            accessKeyId: id,
            secretAccessKey: secret,
            ...(process.env.AWS_SESSION_TOKEN ? { sessionToken: process.env.AWS_SESSION_TOKEN } : {}),
          },
        }
      : // Scylla sends unsigned requests when no keys are set; the SDK would instead fail to find credentials.
        { credentials: { accessKeyId: "", secretAccessKey: "" }, signer: { sign: async (request) => request } }),
  });
}

/** Releases from which a node serves the native API (SM's gates: backup >= 2025.2, restore >= 2026.1). */
export const NATIVE_SINCE = { backup: [2025, 2], restore: [2026, 1] } as const;

/** Whether a Scylla version (`X.Y[.Z][-suffix]`) is at least `major.minor`. */
export function versionAtLeast(version: string, [major, minor]: readonly [number, number]): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (m === null) return false;
  const [ma, mi] = [Number(m[1]), Number(m[2])];
  return ma > major || (ma === major && mi >= minor);
}
