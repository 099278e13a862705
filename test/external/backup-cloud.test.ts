/**
 * Backup end to end to Azure (azurite) and GCS (fake-gcs-server), both started by test/external/run.sh: the Backup
 * class and our agents on the emulator upload to a container/bucket; the bucket is then read back with the agent's
 * own provider client (checked against the real server by the provider suites): every file a manifest names is
 * there with its size, the snapshot's files equal the emulator's ledger (names, sizes, CRC32 of the bytes read
 * back), and a second backup after one flush adds exactly the flushed SSTables and rewrites nothing else.
 * Without a server its suite is skipped with the reason printed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAzureBackend } from "../../agent/providers/azure.ts";
import { createGcsBackend } from "../../agent/providers/gcs.ts";
import type { Backend, ObjectEntry } from "../../agent/providers/provider.ts";
import { Backup } from "../../src/backup/backup.ts";
import { retainUntilOf } from "../../src/backup/retention-lock.ts";
import { Cluster } from "../../src/cluster/cluster.ts";
import { createMemoryStore } from "../../src/store/memory.ts";
import { type EmulatedAgents, startAgents } from "../emulator/agents.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import { nodeStorage } from "../emulator/storage/node-storage.ts";
import { manifestProblems, readManifestsWith, snapshotMismatchesWith, sstDirOf } from "./backup-s3-bucket.ts";

/** Azurite's well-known development account (public, documented by Microsoft). */
const AZURE_ACCOUNT = "devstoreaccount1";
const AZURE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

interface Provider {
  name: string;
  provider: "azure" | "gcs";
  skip: string | undefined;
  ipPrefix: string;
  /** The agents' config section. */
  config: () => Record<string, unknown>;
  /** The provider client the test reads the bucket with, and how to make and remove a bucket. */
  client: () => Backend;
  createBucket: (client: Backend, bucket: string) => Promise<void>;
  deleteBucket: (client: Backend, bucket: string) => Promise<void>;
}

const env = process.env;
const PROVIDERS: Provider[] = [
  {
    name: "azure (azurite)",
    provider: "azure",
    skip:
      env.SM_EXT_AZURE_SKIP ??
      (env.SM_EXT_AZURE_ENDPOINT ? undefined : "no azurite running: use test/external/run.sh, which starts one"),
    ipPrefix: "127.2.41.",
    config: () => ({ azure: { account: AZURE_ACCOUNT, key: AZURE_KEY, endpoint: env.SM_EXT_AZURE_ENDPOINT } }),
    client: () => createAzureBackend({ account: AZURE_ACCOUNT, key: AZURE_KEY, endpoint: env.SM_EXT_AZURE_ENDPOINT }),
    createBucket: async (client, bucket) => {
      await (client as ReturnType<typeof createAzureBackend>).service.createContainer(bucket);
    },
    deleteBucket: async (client, bucket) => {
      await (client as ReturnType<typeof createAzureBackend>).service.deleteContainer(bucket);
    },
  },
  {
    name: "gcs (fake-gcs-server)",
    provider: "gcs",
    skip:
      env.SM_EXT_GCS_SKIP ??
      (env.SM_EXT_GCS_ENDPOINT ? undefined : "no fake-gcs-server running: use test/external/run.sh, which starts one"),
    ipPrefix: "127.2.42.",
    config: () => ({ gcs: { endpoint: env.SM_EXT_GCS_ENDPOINT } }),
    client: () => createGcsBackend({ endpoint: env.SM_EXT_GCS_ENDPOINT }),
    createBucket: async (client, bucket) => {
      await (client as ReturnType<typeof createGcsBackend>).storage.createBucket(bucket);
    },
    deleteBucket: async (client, bucket) => {
      await (client as ReturnType<typeof createGcsBackend>).storage.bucket(bucket).delete({ force: true } as never);
    },
  },
];

async function readAll(client: Backend, path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await client.read(path)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Every object of the bucket: key → size and modification time. */
async function listBucket(client: Backend, bucket: string): Promise<Map<string, { size: number; modTime: number }>> {
  const out = new Map<string, { size: number; modTime: number }>();
  for await (const entry of client.list(bucket, { recurse: true, filesOnly: true })) {
    out.set(entry.path, { size: entry.size, modTime: entry.modTime.getTime() });
  }
  return out;
}

const TOKEN = "backup-cloud";
const TASK = "5b1d9e2a-7c4f-4e8a-a0b3-2f6e8d9c1a47";
const LOCK_TASK = "7e2f0c1b-3d4a-4b5c-8d6e-9f0a1b2c3d4e";

for (const p of PROVIDERS) {
  if (p.skip !== undefined) console.log(`backup-cloud ${p.name} SKIPPED: ${p.skip}`);

  describe.skipIf(p.skip !== undefined)(`backup to ${p.name} through our agents`, () => {
    let dir = "";
    let bucket = "";
    let client: Backend;
    let emu: EmulatedCluster;
    let agents: EmulatedAgents | undefined;
    let cluster: Cluster;
    const store = createMemoryStore();

    const run = async () =>
      (
        await Backup.plan(cluster, {
          location: [`${p.provider}:${bucket}`],
          keyspace: ["ks1", "ks2"],
          taskId: TASK,
          retention: 10,
          store,
        })
      ).run();

    async function expectBucketHealthy(tag: string) {
      const objects = await listBucket(client, bucket);
      const sizes = new Map([...objects].map(([k, v]) => [k, v.size]));
      const read = (key: string) => readAll(client, `${bucket}/${key}`);
      const manifests = await readManifestsWith(read, sizes);
      expect(
        manifests
          .filter((m) => m.info.snapshotTag === tag)
          .map((m) => m.content.ip)
          .sort(),
      ).toEqual(emu.nodes.map((n) => n.ip).sort());
      expect(manifestProblems(manifests, sizes)).toEqual([]);
      expect(await snapshotMismatchesWith(read, manifests, emu.ledger, tag)).toEqual([]);
      return objects;
    }

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), `backup-${p.provider}-`));
      client = p.client();
      bucket = `sm-backup-${randomBytes(4).toString("hex")}`;
      await p.createBucket(client, bucket);
      const nts = { class: "NetworkTopologyStrategy", replication_factor: 3 };
      emu = await startCluster({
        dcs: [3],
        ipPrefix: p.ipPrefix,
        dir: join(dir, "emu"),
        schema: {
          keyspaces: [
            {
              name: "ks1",
              replication: nts,
              tables: [
                { name: "small", size: "200KiB" },
                { name: "users", size: "2MiB" },
              ],
            },
            { name: "ks2", replication: nts, tables: [{ name: "events", size: "1MiB" }] },
          ],
        },
      });
      agents = await startAgents(emu, { authToken: TOKEN, config: p.config() });
      cluster = await Cluster.connect({ host: emu.nodes[0]?.ip ?? "", authToken: TOKEN });
    }, 120_000);

    afterAll(async () => {
      await cluster?.close();
      await agents?.close();
      await emu?.close();
      if (bucket !== "" && client !== undefined) {
        await client.purge(`${bucket}/backup`).catch(() => undefined);
        await p.deleteBucket(client, bucket).catch(() => undefined);
      }
      if (dir !== "") rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    test("the bucket holds exactly the snapshot's SSTables; a second backup adds only the flushed SSTables", async () => {
      const first = await run();
      const before = await expectBucketHealthy(first.snapshotTag);
      const sstKeys = (objects: Map<string, unknown>) =>
        [...objects.keys()].filter((k) => k.startsWith("backup/sst/") && !k.endsWith("_manifest.json"));
      expect(first.progress.uploaded).toBe(sstKeys(before).reduce((sum, k) => sum + (before.get(k)?.size ?? 0), 0));

      const storage = nodeStorage(emu.state.nodes[1] as NonNullable<(typeof emu.state.nodes)[number]>);
      const flushed = storage.flushSSTable("ks1", "users", 150_000);
      const second = await run();
      const after = await expectBucketHealthy(second.snapshotTag);
      const added = sstKeys(after).filter((k) => !before.has(k));
      expect(added.map((k) => k.split("/").at(-1)).sort()).toEqual([...flushed].sort());
      expect(added.every((k) => k.includes(`/node/${emu.nodes[1]?.hostId}/keyspace/ks1/table/users/`))).toBe(true);
      // Deduplicated: every SSTable of the first backup is still the object written then (not uploaded again).
      for (const k of sstKeys(before)) expect(`${k} ${after.get(k)?.modTime}`).toBe(`${k} ${before.get(k)?.modTime}`);
      expect(second.progress.skipped).toBeGreaterThan(0);
      expect(second.progress.uploaded).toBe(added.reduce((sum, k) => sum + (after.get(k)?.size ?? 0), 0));
    }, 240_000);

    // fake-gcs-server stores and lists object `retention` (it does not enforce it, nor keep event-based holds).
    test.skipIf(p.provider !== "gcs")(
      "retention_lock_mode unlocked: every object the snapshot names (manifests and schema too) is retained until tag + retention days",
      async () => {
        const locked = await (
          await Backup.plan(cluster, {
            location: [`${p.provider}:${bucket}`],
            keyspace: ["ks1", "ks2"],
            taskId: LOCK_TASK,
            retention: 0,
            retentionDays: 7,
            retentionLockMode: "unlocked",
            store,
          })
        ).run();
        const until = retainUntilOf(locked.snapshotTag, 7).getTime();
        const objects = new Map<string, ObjectEntry>();
        for await (const e of client.list(bucket, { recurse: true, filesOnly: true, lockInfo: true }))
          objects.set(e.path, e);
        const sizes = new Map([...objects].map(([k, v]) => [k, v.size]));
        const manifests = (await readManifestsWith((key) => readAll(client, `${bucket}/${key}`), sizes)).filter(
          (m) => m.info.snapshotTag === locked.snapshotTag,
        );
        expect(manifests.length).toBe(emu.nodes.length);
        const expected = new Set<string>();
        for (const m of manifests) {
          expected.add(m.key);
          if (m.content.schema) expected.add(m.content.schema);
          for (const meta of m.content.index ?? []) {
            for (const f of [...(meta.files ?? []), ...(meta.scylla_manifests ?? [])])
              expected.add(`${sstDirOf(m.content, meta)}/${f}`);
          }
        }
        const wrong = [...expected].filter((k) => {
          const r = objects.get(k)?.retention;
          return r?.mode !== "unlocked" || r.retainUntil.getTime() !== until;
        });
        expect(wrong).toEqual([]);
        // Files of the earlier snapshots that this one does not name stay unlocked.
        const others = [...objects.keys()].filter((k) => k.startsWith("backup/sst/") && !expected.has(k));
        expect(others.every((k) => objects.get(k)?.retention === undefined)).toBe(true);
      },
      240_000,
    );
  });
}
