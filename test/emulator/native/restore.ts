/**
 * `POST /storage_service/restore?endpoint=&bucket=&prefix=&keyspace=&table=&scope=&primary_replica_only=` with a
 * JSON array of TOC object keys (relative to `prefix`) as body: a `restore` module task that downloads every
 * component each TOC lists into the table's `upload/` dir and loads them like load_and_stream (storage's loader,
 * which records the `load` ledger entry). `progress_total`/`progress_completed` count bytes; SM only looks at their
 * ratio once the task is done.
 * @module
 */
import { createWriteStream, rmSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { GetObjectCommand, HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import * as v from "valibot";
import type { NativeTransferEntry } from "../ledger.ts";
import type { NodeContext } from "../node-context.ts";
import { boolParam, requireParam } from "../rest/params.ts";
import { RestError } from "../rest/rest-error.ts";
import type { RestRequest } from "../rest/router.ts";
import { digestFile } from "../storage/content.ts";
import { loadUploadDir } from "../storage/loader.ts";
import { type NodeStorage, nodeStorage } from "../storage/node-storage.ts";
import { createEndpointClient, resolveEndpoint } from "./endpoint.ts";
import { requireTableDir } from "./table.ts";
import { ABORT_MESSAGE, objectKey, sleepTransfer, startNativeTask } from "./tasks.ts";

/** Scopes Scylla's restore streams to. */
export const RESTORE_SCOPES = ["all", "dc", "rack", "node"] as const;

/** SM sends at most ~10k names (the agent's 1 MiB body cap); the emulator accepts what parses. */
const TocListSchema = v.pipe(
  v.array(v.pipe(v.string(), v.regex(/TOC\.txt$/, "each entry must be the object key of a TOC.txt file"))),
  v.minLength(1, "the list of TOC object keys is empty"),
);

/** Parses the body; a bad one is a 400 naming the problem. */
async function parseTocs(req: RestRequest): Promise<string[]> {
  const text = await req.request.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new RestError(400, "restore: the body must be a JSON array of TOC object keys");
  }
  const parsed = v.safeParse(TocListSchema, json);
  if (!parsed.success) throw new RestError(400, `restore: ${parsed.issues[0].message}`);
  return parsed.output;
}

/** The component object keys of a TOC (its lines name components of the same SSTable). */
async function componentKeys(client: S3Client, bucket: string, tocKey: string, signal: AbortSignal) {
  const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: tocKey }), { abortSignal: signal });
  const text = (await res.Body?.transformToString()) ?? "";
  const base = tocKey.slice(0, -"TOC.txt".length);
  const components = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  if (!components.includes("TOC.txt")) components.push("TOC.txt");
  return components.map((c) => `${base}${c}`);
}

/** Waits while the node's loader is busy (Scylla queues restore loads behind a running one). */
async function awaitLoader(storage: NodeStorage, signal: AbortSignal): Promise<void> {
  while (storage.loading) {
    signal.throwIfAborted();
    await Bun.sleep(20);
  }
}

/** Validates the request, starts the task and returns its id. */
export async function startNativeRestore(node: NodeContext, req: RestRequest): Promise<string> {
  const endpointName = requireParam(req, "endpoint");
  const bucket = requireParam(req, "bucket");
  const prefix = req.query.get("prefix") ?? "";
  const keyspace = requireParam(req, "keyspace");
  const table = requireParam(req, "table");
  const scope = req.query.get("scope") || "all";
  if (!(RESTORE_SCOPES as readonly string[]).includes(scope))
    throw new RestError(400, `Invalid scope parameter value '${scope}': use one of ${RESTORE_SCOPES.join(", ")}`);
  const primaryReplicaOnly = boolParam(req, "primary_replica_only", false);
  const endpoint = resolveEndpoint(node, endpointName);
  const storage = nodeStorage(node);
  const dir = requireTableDir(storage, keyspace, table);
  const tocs = await parseTocs(req);
  const ledger = node.cluster.ledger;
  const clock = node.cluster.clock;
  const task = startNativeTask(node, "restore", { keyspace }, async ({ task, signal }) => {
    const entry: NativeTransferEntry = ledger.record({
      kind: "native_restore",
      host: node.ip,
      taskId: task.id,
      endpoint: endpointName,
      bucket,
      prefix,
      keyspace,
      table,
      params: { scope, primary_replica_only: String(primaryReplicaOnly) },
      files: [],
      tocs,
      start: clock.now(),
      outcome: "running",
    });
    const client = createEndpointClient(endpoint);
    const upload = join(dir.path, "upload");
    const written: string[] = [];
    try {
      const keys: Array<{ key: string; size: number }> = [];
      for (const toc of tocs) {
        for (const key of await componentKeys(client, bucket, objectKey(prefix, toc), signal)) {
          const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
          keys.push({ key, size: head.ContentLength ?? 0 });
        }
      }
      task.progressTotal = keys.reduce((s, k) => s + k.size, 0);
      for (const { key, size } of keys) {
        await sleepTransfer(node, size, signal);
        const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
        const name = key.slice(key.lastIndexOf("/") + 1);
        const path = join(upload, name);
        written.push(path);
        const body = res.Body?.transformToWebStream();
        if (body === undefined) throw new Error(`object ${key} has no body`);
        await pipeline(Readable.fromWeb(body as import("node:stream/web").ReadableStream), createWriteStream(path), {
          signal,
        });
        const digest = digestFile(path);
        entry.files.push({ name, size: digest.size, digest: digest.crc32 });
        task.progressCompleted += size;
      }
      await awaitLoader(storage, signal);
      await loadUploadDir(storage, keyspace, table, {
        loadAndStream: true,
        primaryReplicaOnly,
        skipCleanup: false,
        skipReshape: false,
      });
      entry.outcome = "successful";
    } catch (err) {
      // Nothing half-restored stays behind in upload/ (the loader moves what it loaded out of it).
      for (const path of written) rmSync(path, { force: true });
      entry.outcome = "failed";
      entry.error = signal.aborted ? ABORT_MESSAGE : err instanceof Error ? err.message : String(err);
      throw err;
    } finally {
      entry.end = clock.now();
      client.destroy();
    }
  });
  return task.id;
}
