/**
 * `POST /storage_service/backup?endpoint=&bucket=&prefix=&keyspace=&table=&snapshot=&move_files=`: uploads the
 * SSTable files of one table's snapshot to `s3://<bucket>/<prefix>/<file>` as a task of the `backup` module and
 * answers its id. Each file takes its modelled transfer time before it is uploaded; `progress_completed` counts
 * uploaded bytes (what SM reports as uploaded). With `move_files=true` each snapshot file is deleted once uploaded.
 * @module
 */
import { createReadStream, existsSync, readdirSync, statSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import type { NativeTransferEntry } from "../ledger.ts";
import type { NodeContext } from "../node-context.ts";
import { boolParam, requireParam } from "../rest/params.ts";
import type { RestRequest } from "../rest/router.ts";
import { digestFile } from "../storage/content.ts";
import { nodeStorage } from "../storage/node-storage.ts";
import { parseSSTableFileName } from "../storage/sstable-names.ts";
import { createEndpointClient, resolveEndpoint } from "./endpoint.ts";
import { requireTableDir } from "./table.ts";
import { ABORT_MESSAGE, objectKey, sleepTransfer, startNativeTask } from "./tasks.ts";

/** SSTable component files of a snapshot dir with their sizes (manifest.json and schema.cql are SM's business). */
function snapshotSSTables(dir: string): Array<{ name: string; size: number }> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => parseSSTableFileName(name) !== undefined)
    .sort()
    .map((name) => ({ name, size: statSync(join(dir, name)).size }));
}

/** Validates the request, starts the task and returns its id. */
export function startNativeBackup(node: NodeContext, req: RestRequest): string {
  const endpointName = requireParam(req, "endpoint");
  const bucket = requireParam(req, "bucket");
  const prefix = req.query.get("prefix") ?? "";
  const keyspace = requireParam(req, "keyspace");
  const table = requireParam(req, "table");
  const snapshot = requireParam(req, "snapshot");
  const moveFiles = boolParam(req, "move_files", false);
  const endpoint = resolveEndpoint(node, endpointName);
  const dir = requireTableDir(nodeStorage(node), keyspace, table);
  const snapDir = join(dir.path, "snapshots", snapshot);
  const files = snapshotSSTables(snapDir);
  const ledger = node.cluster.ledger;
  const clock = node.cluster.clock;
  const task = startNativeTask(
    node,
    "backup",
    { keyspace, progressTotal: files.reduce((s, f) => s + f.size, 0) },
    async ({ task, signal }) => {
      const entry: NativeTransferEntry = ledger.record({
        kind: "native_backup",
        host: node.ip,
        taskId: task.id,
        endpoint: endpointName,
        bucket,
        prefix,
        keyspace,
        table,
        params: { snapshot, move_files: String(moveFiles) },
        files: [],
        start: clock.now(),
        outcome: "running",
      });
      const client = createEndpointClient(endpoint);
      try {
        // Scylla lists the snapshot dir inside the task, so a missing snapshot fails the task, not the request.
        if (!existsSync(snapDir)) throw new Error(`snapshot ${snapshot} of ${keyspace}.${table} not found`);
        for (const file of files) {
          await sleepTransfer(node, file.size, signal);
          const path = join(snapDir, file.name);
          const digest = digestFile(path);
          await client.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: objectKey(prefix, file.name),
              Body: createReadStream(path),
              ContentLength: file.size,
            }),
            { abortSignal: signal },
          );
          entry.files.push({ name: file.name, size: digest.size, digest: digest.crc32 });
          task.progressCompleted += file.size;
          if (moveFiles) unlinkSync(path);
        }
        entry.outcome = "successful";
      } catch (err) {
        entry.outcome = "failed";
        entry.error = signal.aborted ? ABORT_MESSAGE : err instanceof Error ? err.message : String(err);
        throw err;
      } finally {
        entry.end = clock.now();
        client.destroy();
      }
    },
  );
  return task.id;
}
