/**
 * Checks of a backup bucket on a real S3 server, read with the AWS SDK directly (not through the test proxy, so the
 * checks never count as traffic): every object with its size, the manifests decoded by our codec, and the two
 * invariants every fault test asserts (no regular manifest names a file that is missing or has another size; the
 * files of a snapshot equal what the emulator's ledger says the snapshot held).
 * @module
 */
import { crc32 } from "node:zlib";
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import {
  decodeManifest,
  type FilesMeta,
  type Manifest,
  type ManifestPathInfo,
  parseManifestPath,
} from "../../src/backup/layout/index.ts";
import type { Ledger } from "../emulator/ledger.ts";
import { hexCrc } from "../emulator/storage/content.ts";
import { snapshotFiles } from "../emulator/storage/snapshot-digests.ts";

/** Every key of `bucket` with its size. */
export async function listBucket(client: S3Client, bucket: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of page.Contents ?? []) out.set(o.Key ?? "", o.Size ?? 0);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return out;
}

export async function readObject(client: S3Client, bucket: string, key: string): Promise<Buffer> {
  const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await (answer.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
}

export interface BucketManifest {
  key: string;
  info: ManifestPathInfo;
  content: Manifest;
}

/** Reads one object of the bucket under test by key (S3 here; the agent's own backend for Azure and GCS). */
export type ReadObject = (key: string) => Promise<Buffer>;

/** The regular (not temporary) manifests of the bucket, decoded with our codec. */
export function readManifests(
  client: S3Client,
  bucket: string,
  objects: ReadonlyMap<string, number>,
): Promise<BucketManifest[]> {
  return readManifestsWith((key) => readObject(client, bucket, key), objects);
}

/** `readManifests` through any object reader. */
export async function readManifestsWith(
  read: ReadObject,
  objects: ReadonlyMap<string, number>,
): Promise<BucketManifest[]> {
  const out: BucketManifest[] = [];
  for (const key of [...objects.keys()].sort()) {
    if (!key.startsWith("backup/meta/")) continue;
    const info = parseManifestPath(key);
    if (info === undefined || info.temporary) continue;
    out.push({ key, info, content: await decodeManifest(await read(key)) });
  }
  return out;
}

/** The bucket directory of one manifest index entry. */
export function sstDirOf(m: Manifest, meta: FilesMeta): string {
  return `backup/sst/cluster/${m.cluster_id}/dc/${m.dc}/node/${m.node_id}/keyspace/${meta.keyspace}/table/${meta.table}/${meta.version}`;
}

/**
 * What must survive every fault: each file a regular manifest names is in the bucket with a size that adds up to
 * the entry's size, and the manifest's schema file exists. Returns the problems (empty when all is well).
 */
export function manifestProblems(manifests: readonly BucketManifest[], objects: ReadonlyMap<string, number>): string[] {
  const problems: string[] = [];
  for (const { key, content } of manifests) {
    if (content.schema && !objects.has(content.schema)) problems.push(`${key}: schema ${content.schema} missing`);
    for (const meta of content.index ?? []) {
      let total = 0;
      for (const f of meta.files ?? []) {
        const path = `${sstDirOf(content, meta)}/${f}`;
        const size = objects.get(path);
        if (size === undefined) problems.push(`${key}: ${path} missing`);
        else total += size;
      }
      if (total !== meta.size)
        problems.push(`${key}: ${meta.keyspace}.${meta.table} holds ${total} bytes, manifest says ${meta.size}`);
    }
  }
  return problems;
}

/**
 * For every manifest of `tag` and every user table in it: the files in the bucket (name, size, CRC32 of the bytes
 * read back) equal what the snapshot held on that node according to the emulator's ledger. Returns the mismatches.
 */
export function snapshotMismatches(
  client: S3Client,
  bucket: string,
  manifests: readonly BucketManifest[],
  ledger: Ledger,
  tag: string,
): Promise<string[]> {
  return snapshotMismatchesWith((key) => readObject(client, bucket, key), manifests, ledger, tag);
}

/** `snapshotMismatches` through any object reader. */
export async function snapshotMismatchesWith(
  read: ReadObject,
  manifests: readonly BucketManifest[],
  ledger: Ledger,
  tag: string,
): Promise<string[]> {
  const problems: string[] = [];
  const ofTag = manifests.filter((m) => m.info.snapshotTag === tag);
  if (ofTag.length === 0) problems.push(`no manifest of ${tag}`);
  for (const { key, content } of ofTag) {
    for (const meta of content.index ?? []) {
      if (meta.keyspace === "system_schema") continue;
      const captured = snapshotFiles(ledger, tag, meta.keyspace, meta.table)
        .filter((c) => c.host === content.ip)
        .map((c) => `${c.name}:${c.size}:${c.digest}`)
        .sort();
      const stored: string[] = [];
      for (const name of meta.files ?? []) {
        const bytes = await read(`${sstDirOf(content, meta)}/${name}`);
        stored.push(`${name}:${bytes.length}:${hexCrc(crc32(bytes))}`);
      }
      stored.sort();
      if (JSON.stringify(stored) !== JSON.stringify(captured)) {
        problems.push(
          `${key}: ${meta.keyspace}.${meta.table}: bucket ${stored.join(",")} != snapshot ${captured.join(",")}`,
        );
      }
    }
  }
  return problems;
}
