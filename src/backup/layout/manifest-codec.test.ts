import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import type { Manifest } from "./manifest.ts";
import { ManifestFormatError } from "./manifest.ts";
import {
  decodeManifest,
  decodeManifestJson,
  encodeManifest,
  goJsonString,
  manifestJson,
  readManifest,
} from "./manifest-codec.ts";

const TESTDATA = join(import.meta.dir, "testdata");
const VECTORS = join(import.meta.dir, "../../../../shared/vectors/sm-backup-list");

/** The manifest whose JSON Go's encoding/json wrote into testdata/manifest-go-encoded.json. */
function goldenManifest(): Manifest {
  return {
    version: "v2",
    scylla_version: "2025.1.0-0.20250101.abc <dev> & co",
    cluster_name: 'prod "east"\u2028x',
    ip: "10.0.0.1",
    size: 1234567890123,
    tokens: [-9223372036854775808n, -9221280105123363187n, 0n, 42n, 9223372036854775807n],
    schema: "backup/schema/cluster/c/task_t_tag_sm_20210809095541UTC_schema_with_internals.json.gz",
    rack: "rack1",
    shard_count: 8,
    cpu_count: 16,
    storage_size: 3758096384000,
    instance_details: { cloud_provider: "aws", instance_type: "i4i.large" },
    dc: "dc1",
    cluster_id: "3e99d4a8-67d2-45fe-87fb-87b1b90ea2dc",
    node_id: "01c9349e-89e6-4ceb-a727-4f27f9f2acce",
    task_id: "f70117d8-c10e-4e90-9606-2587936b3757",
    snapshot_tag: "sm_20210809095541UTC",
    index: [
      {
        keyspace: "ks",
        table: "t1",
        replication_type: "vnodes",
        version: "f34b6ff0f8f711eb9fcf000000000000",
        files: ["me-3ggs_0xmx_3261s2qpoyoxpg4min-big-Data.db", "me-3ggs_0xmx_3261s2qpoyoxpg4min-big-TOC.txt"],
        size: 100,
        scylla_manifests: ["tag_sm_20210809095541UTC_node_01c9349e-89e6-4ceb-a727-4f27f9f2acce_manifest.json"],
      },
      {
        keyspace: "ks2",
        table: "t\t2",
        replication_type: "tablets",
        version: "00000000000000000000000000000000",
        files: [],
        size: 0,
        scylla_manifests: null,
      },
      {
        keyspace: "ks3",
        table: "t3",
        replication_type: "",
        version: "aa",
        files: null,
        size: 5,
        scylla_manifests: [],
        path: "backup/sst/x",
      },
    ],
  };
}

describe("encoding is byte-identical to Go's json.Encoder", () => {
  test("a full manifest (escaping, int64 tokens, nil vs empty slices, omitempty)", () => {
    const expected = readFileSync(join(TESTDATA, "manifest-go-encoded.json"), "utf8");
    expect(manifestJson(goldenManifest())).toBe(expected);
  });

  test("an empty manifest", () => {
    const expected = readFileSync(join(TESTDATA, "manifest-go-encoded-empty.json"), "utf8");
    const manifest = decodeManifestJson('{"version":"v2"}');
    expect(manifestJson({ ...manifest, cluster_id: "", task_id: "" })).toBe(expected);
  });

  test("gzip round trip", async () => {
    const bytes = await encodeManifest(goldenManifest());
    expect(gunzipSync(bytes).toString("utf8")).toBe(readFileSync(join(TESTDATA, "manifest-go-encoded.json"), "utf8"));
    expect(await decodeManifest(bytes)).toEqual(goldenManifest());
  });

  test("Go's HTML-safe string escaping", () => {
    expect(goJsonString("a<b>&c\u2029\n\u0001")).toBe('"a\\u003cb\\u003e\\u0026c\\u2029\\n\\u0001"');
  });
});

describe("decoding", () => {
  test("Go's JSON decodes to the same manifest, tokens exact", () => {
    const text = readFileSync(join(TESTDATA, "manifest-go-encoded.json"), "utf8");
    expect(decodeManifestJson(text)).toEqual(goldenManifest());
  });

  test("streams in any chunking: one byte at a time gives the same result", async () => {
    const gz = gzipSync(readFileSync(join(TESTDATA, "manifest-go-encoded.json")));
    async function* bytewise() {
      for (let i = 0; i < gz.length; i++) yield gz.subarray(i, i + 1);
    }
    const seen: string[] = [];
    const { header, indexCount } = await readManifest(bytewise(), (meta) =>
      seen.push(`${meta.keyspace}.${meta.table}`),
    );
    expect(indexCount).toBe(3);
    expect(seen).toEqual(["ks.t1", "ks2.t\t2", "ks3.t3"]);
    expect(header.tokens).toEqual(goldenManifest().tokens);
  });

  test("lenient: unknown fields ignored, missing fields zero, whitespace anywhere", () => {
    const manifest = decodeManifestJson(
      ' { "index" : [ { "keyspace" : "k" , "table":"t","files":["a"],"size":3,"future":{"x":[1,2]} } ] ,\n "future_field": [true,false,null], "size": 3 }\n',
    );
    expect(manifest.index).toEqual([
      { keyspace: "k", table: "t", replication_type: "", version: "", files: ["a"], size: 3, scylla_manifests: null },
    ]);
    expect(manifest.size).toBe(3);
    expect(manifest.tokens).toBeNull();
    expect(manifest.cluster_id).toBe("00000000-0000-0000-0000-000000000000");
  });

  test("truncated, malformed and non-gzip input are ManifestFormatErrors", async () => {
    expect(() => decodeManifestJson('{"version":"v2","index":[{"keyspace":"k"')).toThrow(ManifestFormatError);
    expect(() => decodeManifestJson('{"version":v2}')).toThrow(ManifestFormatError);
    expect(() => decodeManifestJson("[]")).toThrow(ManifestFormatError);
    expect(() => decodeManifestJson('{"index":5}')).toThrow(ManifestFormatError);
    await expect(decodeManifest(new TextEncoder().encode("not gzip"))).rejects.toThrow(ManifestFormatError);
    const gz = gzipSync('{"version":"v2","index":[');
    await expect(decodeManifest(gz)).rejects.toThrow("truncated");
  });

  test("a large index streams entry by entry", async () => {
    const files = Array.from({ length: 9 }, (_, i) => `me-3ggs_0xmx_3261s2qpoyoxpg4min-big-${i}.db`);
    const manifest: Manifest = {
      ...goldenManifest(),
      index: Array.from({ length: 20_000 }, (_, i) => ({
        keyspace: `ks${i % 10}`,
        table: `table_${i}`,
        replication_type: "vnodes",
        version: i.toString(16).padStart(32, "0"),
        files,
        size: i,
        scylla_manifests: null,
      })),
    };
    const bytes = await encodeManifest(manifest);
    let count = 0;
    let sum = 0;
    const { indexCount } = await readManifest(bytes, (meta) => {
      count++;
      sum += meta.size;
    });
    expect(indexCount).toBe(20_000);
    expect(count).toBe(20_000);
    expect(sum).toBe((19_999 * 20_000) / 2);
  });
});

const vectorFiles = (): string[] => {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith(".gz")) out.push(full);
    }
  };
  walk(VECTORS);
  return out;
};

describe("SM's own manifests (../shared/vectors)", () => {
  const present = existsSync(VECTORS);
  if (!present) console.log(`skipping SM manifest vectors: ${VECTORS} is absent (no ../shared checkout)`);

  test.skipIf(!present)("every vector decodes; tokens keep all 64 bits; re-encoding keeps the content", async () => {
    const files = vectorFiles();
    expect(files.length).toBe(15);
    for (const file of files) {
      const raw = readFileSync(file);
      const text = gunzipSync(raw).toString("utf8");
      const manifest = await decodeManifest(raw);
      expect(manifest.version).toBe("v2");
      // The exact token literals of the file, compared as text (a JS number would round most of them).
      const literal = /"tokens":\[([^\]]*)\]/.exec(text)?.[1] ?? "";
      expect(manifest.tokens?.join(",")).toBe(literal);
      expect(manifest.index?.length).toBeGreaterThan(0);
      expect(manifest.size).toBe((manifest.index ?? []).reduce((sum, m) => sum + m.size, 0));
      // Content survives our encoder (field order becomes today's SM order, the values are the same).
      const again = await decodeManifest(await encodeManifest(manifest));
      expect(again).toEqual(manifest);
      const withoutTokens = (json: string) => JSON.parse(json.replace(/"tokens":\[[^\]]*\]/, '"tokens":null'));
      expect(withoutTokens(manifestJson(manifest))).toMatchObject(withoutTokens(text));
    }
  });
});
