import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startTestAgent, type TestAgent } from "../../agent/testing/harness.ts";
import { s3TierSkipReason, tierS3Client } from "./tier-s3.ts";

// The rc layer against a real S3 server (MinIO or moto, started by test/external/run.sh, which exports
// SM_EXT_S3_*): status mapping for wrong credentials and missing buckets, and SM's backup upload (movedir with a
// versioning suffix). Without a server the suite is skipped with the reason printed.
const env = process.env;
let skip: string | undefined;
let good: TestAgent | undefined;
let bad: TestAgent | undefined;

beforeAll(async () => {
  skip = s3TierSkipReason;
  if (skip !== undefined) {
    console.log(`agent-s3 SKIPPED: ${skip}`);
    return;
  }
  const s3 = {
    endpoint: env.SM_EXT_S3_ENDPOINT,
    provider: (env.SM_EXT_S3_PROVIDER ?? "Minio") as "Minio",
    access_key_id: env.SM_EXT_S3_KEY,
    secret_access_key: env.SM_EXT_S3_SECRET,
  };
  good = await startTestAgent("127.0.24.10", { s3 });
  bad = await startTestAgent("127.0.24.11", { s3: { ...s3, secret_access_key: "wrong-secret" } });
  const { CreateBucketCommand } = await import("@aws-sdk/client-s3");
  const client = tierS3Client();
  await client.send(new CreateBucketCommand({ Bucket: "agent-e2e" }));
  client.destroy();
}, 60_000);

afterAll(async () => {
  await good?.close();
  await bad?.close();
});

function agentOf(which: TestAgent | undefined): TestAgent {
  if (which === undefined) throw new Error("agent not started");
  return which;
}

describe("rc against S3", () => {
  test("check-permissions passes with good credentials", async () => {
    if (skip) return console.log(`skipped: ${skip}`);
    const res = await agentOf(good).rc("operations/check-permissions", { fs: "s3:agent-e2e", remote: "" });
    expect(res.status).toBe(200);
  });

  test("wrong credentials and a missing bucket get SM's status codes and clear messages", async () => {
    if (skip) return console.log(`skipped: ${skip}`);
    const wrong = await agentOf(bad).rc("operations/list", { fs: "s3:agent-e2e", remote: "" });
    expect(wrong.status).toBe(403);
    const wrongBody = (await wrong.json()) as { message: string; path: string };
    console.log(`wrong credentials: ${wrong.status} ${wrongBody.message}`);
    expect(wrongBody.path).toBe("operations/list");
    expect(wrongBody.message.length).toBeGreaterThan(0);
    const check = await agentOf(bad).rc("operations/check-permissions", { fs: "s3:agent-e2e", remote: "" });
    expect([400, 403]).toContain(check.status);
    const missing = await agentOf(good).rc("operations/list", { fs: "s3:no-such-bucket-e2e", remote: "x" });
    expect(missing.status).toBe(404);
  });

  test("movedir with a suffix uploads a snapshot and versions a changed remote file", async () => {
    if (skip) return console.log(`skipped: ${skip}`);
    const t = agentOf(good);
    const snap = "ks/t-0123456789abcdef0123456789abcdef/snapshots/sm_20250102000000UTC";
    mkdirSync(join(t.dataDir, snap), { recursive: true });
    writeFileSync(join(t.dataDir, snap, "me-1-big-Data.db"), "version-1");
    const move = async () => {
      const res = await t.rc(
        "sync/movedir",
        { srcFs: "data:", srcRemote: snap, dstFs: "s3:agent-e2e", dstRemote: "sst", suffix: ".sm_20250102000000UTC" },
        "?_async=true",
      );
      const { jobid } = (await res.json()) as { jobid: number };
      return (await (await t.rc("job/progress", { jobid, wait: 15 })).json()) as Record<string, unknown>;
    };
    expect(await move()).toMatchObject({ status: "success", uploaded: 9 });
    writeFileSync(join(t.dataDir, snap, "me-1-big-Data.db"), "version-two");
    expect(await move()).toMatchObject({ status: "success", uploaded: 11 });
    const list = (await (await t.rc("operations/list", { fs: "s3:agent-e2e", remote: "sst" })).json()) as {
      list: Array<{ Name: string; Size: number }>;
    };
    expect(list.list.map((i) => `${i.Name}:${i.Size}`).sort()).toEqual([
      "me-1-big-Data.db.sm_20250102000000UTC:9",
      "me-1-big-Data.db:11",
    ]);
  });

  test("many small files of mixed sizes (recycled upload buffers) arrive byte-identical", async () => {
    if (skip) return console.log(`skipped: ${skip}`);
    const t = agentOf(good);
    const snap = "ks/t-mixed/snapshots/sm_20250103000000UTC";
    mkdirSync(join(t.dataDir, snap), { recursive: true });
    const sizes = [1048576, 5, 300_000, 0, 1048577, 70_000, 65_536, 2_000_000, 1, 500_000, 999_999, 3];
    const contents = sizes.map((size, i) => {
      const data = Buffer.alloc(size, 97 + i);
      for (let j = 0; j < size; j += 4093) data[j] = (j * 31 + i) & 0xff;
      writeFileSync(join(t.dataDir, snap, `f${i}`), data);
      return data;
    });
    const res = await t.rc(
      "sync/movedir",
      { srcFs: "data:", srcRemote: snap, dstFs: "s3:agent-e2e", dstRemote: "mixed", transfers: 3 },
      "?_async=true",
    );
    const { jobid } = (await res.json()) as { jobid: number };
    expect(await (await t.rc("job/progress", { jobid, wait: 30 })).json()).toMatchObject({ status: "success" });
    const { GetObjectCommand } = await import("@aws-sdk/client-s3");
    const client = tierS3Client();
    try {
      for (const [i, expected] of contents.entries()) {
        const got = await client.send(new GetObjectCommand({ Bucket: "agent-e2e", Key: `mixed/f${i}` }));
        const body = Buffer.from(await got.Body!.transformToByteArray());
        expect(body.length).toBe(expected.length);
        expect(body.equals(expected)).toBe(true);
      }
    } finally {
      client.destroy();
    }
  });

  test("a file over chunk_size from a data dir goes up in streamed parts, byte-identical, no upload left open", async () => {
    if (skip) return console.log(`skipped: ${skip}`);
    const t = agentOf(good);
    const snap = "ks/t-large/snapshots/sm_20250104000000UTC";
    mkdirSync(join(t.dataDir, snap), { recursive: true });
    const size = 50 * 1024 * 1024 + 123_457; // SM's chunk_size 50M: two parts
    const data = Buffer.alloc(size);
    for (let j = 0; j + 4 <= size; j += 4) data.writeUInt32LE((j * 2654435761) >>> 0, j);
    writeFileSync(join(t.dataDir, snap, "me-9-big-Data.db"), data);
    const res = await t.rc(
      "sync/movedir",
      { srcFs: "data:", srcRemote: snap, dstFs: "s3:agent-e2e", dstRemote: "large" },
      "?_async=true",
    );
    const { jobid } = (await res.json()) as { jobid: number };
    expect(await (await t.rc("job/progress", { jobid, wait: 60 })).json()).toMatchObject({ status: "success" });
    const { GetObjectCommand, ListMultipartUploadsCommand } = await import("@aws-sdk/client-s3");
    const client = tierS3Client();
    try {
      const got = await client.send(new GetObjectCommand({ Bucket: "agent-e2e", Key: "large/me-9-big-Data.db" }));
      if (env.SM_EXT_S3_SERVER !== "moto") expect(got.ETag).toMatch(/-2"$/);
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(data)).toBe(true);
      const open = await client.send(new ListMultipartUploadsCommand({ Bucket: "agent-e2e" }));
      expect(open.Uploads ?? []).toEqual([]);
    } finally {
      client.destroy();
    }
  }, 120_000);

  test("rclone_http_status_code counts the S3 calls by host, method and code", async () => {
    if (skip) return console.log(`skipped: ${skip}`);
    const host = new URL(env.SM_EXT_S3_ENDPOINT ?? "").host;
    const series = async (t: TestAgent) => {
      const text = await (await fetch(`${t.agent.prometheusUrl}/metrics`)).text();
      const counts = new Map<string, number>();
      for (const m of text.matchAll(/^scylla_manager_agent_rclone_http_status_code\{([^}]*)\} (\d+)$/gm)) {
        counts.set(m[1] ?? "", Number(m[2]));
      }
      return counts;
    };
    const label = (method: string, code: number) => `host="${host}",method="${method}",code="${code}"`;
    const goodBefore = await series(agentOf(good));
    expect((await agentOf(good).rc("operations/list", { fs: "s3:agent-e2e", remote: "" })).status).toBe(200);
    expect((await agentOf(good).rc("operations/list", { fs: "s3:no-such-bucket-e2e", remote: "x" })).status).toBe(404);
    const goodAfter = await series(agentOf(good));
    expect((goodAfter.get(label("GET", 200)) ?? 0) - (goodBefore.get(label("GET", 200)) ?? 0)).toBeGreaterThanOrEqual(
      1,
    );
    expect((goodAfter.get(label("GET", 404)) ?? 0) - (goodBefore.get(label("GET", 404)) ?? 0)).toBeGreaterThanOrEqual(
      1,
    );
    // The earlier tests uploaded with PUT (the movedir) and the wrong-credentials agent got 403s.
    expect(goodAfter.get(label("PUT", 200)) ?? 0).toBeGreaterThanOrEqual(1);
    expect(
      [...(await series(agentOf(bad))).entries()].some(
        ([k, v]) => k.includes(`code="403"`) && k.includes(host) && v > 0,
      ),
    ).toBe(true);
  });
});
