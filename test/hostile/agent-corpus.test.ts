/**
 * The agent's hostile-input corpus (issue 10), against an in-process agent on 127.4.4.1 (with the fake Scylla):
 * path traversal (plain, encoded, absolute, NUL, backslashes) in every path parameter, symlinks of every kind
 * (out of the jail to a file and a directory, dangling, loops, chains) with canary files outside the jail checked
 * byte for byte, bodies over the limit (declared and chunked), malformed JSON and token variants. Every answer must
 * be a non-5xx without an absolute path, a stack or a large echo, no canary byte may leave or change, and the agent
 * must keep answering and grow less than 50 MiB (the test process's RSS). Prints the goal figures.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { startTestAgent, TEST_TOKEN, type TestAgent } from "../../agent/testing/harness.ts";
import { chunkedBody, type RawAnswer, rawRequest } from "../support/raw-http.ts";
import { type Figures, leakIn, newFigures, printFigures } from "./support.ts";

const IP = "127.4.4.1";
let t: TestAgent;
let port = 0;
const figures: Figures = newFigures();
const CANARY = `canary-${randomBytes(16).toString("hex")}`;
let outside = "";
let canaryFiles: Map<string, Buffer>;

function listTree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: false }) as string[];
}

beforeAll(async () => {
  t = await startTestAgent(IP);
  port = Number(new URL(t.agent.url).port);
  // Outside both jails: a canary file and a directory with one.
  outside = join(t.root, "outside");
  mkdirSync(join(outside, "dir"), { recursive: true });
  writeFileSync(join(outside, "canary.txt"), CANARY);
  writeFileSync(join(outside, "dir", "canary2.txt"), `${CANARY}-2`);
  canaryFiles = new Map(
    ["canary.txt", "dir/canary2.txt"].map((f) => [f, readFileSync(join(outside, f))] as [string, Buffer]),
  );
  // Inside the data dir: every kind of symlink.
  const ks = join(t.dataDir, "ks", "t-1");
  mkdirSync(ks, { recursive: true });
  writeFileSync(join(ks, "me-1-big-Data.db"), "sstable");
  symlinkSync(join(outside, "canary.txt"), join(ks, "to-canary"));
  symlinkSync(outside, join(ks, "to-outside-dir"));
  symlinkSync("../../../outside/canary.txt", join(ks, "relative-out"));
  symlinkSync(join(t.dataDir, "nowhere"), join(ks, "dangling"));
  symlinkSync("loop-a", join(ks, "loop-b"));
  symlinkSync("loop-b", join(ks, "loop-a"));
  symlinkSync("self", join(ks, "self"));
  symlinkSync("to-canary", join(ks, "chain"));
  symlinkSync(outside, join(t.dataDir, "ks-out"));
  writeFileSync(join(t.storageDir, "bucket", "f"), "f");
}, 30_000);

afterAll(() => t.close());

/** Every string in a request body (what an error body may echo back). */
function stringsOf(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (value === null || typeof value !== "object") return [];
  return Object.values(value).flatMap(stringsOf);
}

function record(
  name: string,
  answer: RawAnswer | { status: number; body: string; failure?: string },
  sent: unknown = undefined,
): void {
  figures.requests++;
  if (answer.status === 0) figures.hangs.push(`${name}: ${answer.failure}`);
  else if (answer.status >= 500) figures.serverErrors.push(`${name}: ${answer.status} ${answer.body.slice(0, 200)}`);
  // Error bodies only: node_info's 200 names the data dir by design, to its authenticated caller.
  const leak = answer.status >= 400 ? leakIn(answer.body, [t.root, process.cwd()], 4096, stringsOf(sent)) : undefined;
  if (leak) figures.leaks.push(`${name}: body ${leak}`);
  if (answer.body.includes(CANARY)) figures.jailEscapes.push(`${name}: the answer carries canary bytes`);
}

async function rc(call: string, body: unknown): Promise<void> {
  const res = await t.rc(call, body);
  record(`${call} ${JSON.stringify(body).slice(0, 120)}`, { status: res.status, body: await res.text() }, body);
}

function raw(name: string, head: string | Buffer, body?: Iterable<Uint8Array>) {
  return rawRequest({ host: IP, port, tls: true, head, ...(body ? { body } : {}), timeoutMs: 15_000 }).then((a) =>
    record(name, a),
  );
}

async function stillAnswering(after: string): Promise<void> {
  const res = await t.request("/agent/node_info").catch((error: Error) => ({ status: 0, error }));
  if (res.status !== 200) figures.hangs.push(`after ${after}: node_info answered ${res.status}`);
  if (res instanceof Response) await res.body?.cancel();
}

function rssMiBSelf(): number {
  Bun.gc(true);
  return process.memoryUsage().rss / 1024 / 1024;
}

describe("agent hostile-input corpus", () => {
  test("no jail escape, no 5xx, no leak; the agent keeps answering and does not grow", async () => {
    await stillAnswering("start");
    figures.rssBeforeMiB = rssMiBSelf();

    // 1. Traversal in every path parameter.
    const bad = [
      "../outside/canary.txt",
      "ks/../../outside/canary.txt",
      "%2e%2e/outside/canary.txt",
      "..%2foutside%2fcanary.txt",
      `${outside}/canary.txt`,
      "/etc/passwd",
      "ks\u0000/../../outside",
      "ks\\..\\..\\outside\\canary.txt",
      "....//....//outside",
      "ks/t-1/../../../outside/canary.txt",
      "./../outside",
      "~/.ssh/id_rsa",
    ];
    const params: [string, (p: string) => Record<string, unknown>][] = [
      ["operations/list", (p) => ({ fs: `data:${p}`, remote: "" })],
      ["operations/list", (p) => ({ fs: "data:", remote: p, opt: { recurse: true } })],
      ["operations/cat", (p) => ({ fs: "data:", remote: p })],
      ["operations/fileinfo", (p) => ({ fs: "data:", remote: p })],
      ["operations/copyfile", (p) => ({ srcFs: "data:", srcRemote: p, dstFs: "localstorage:bucket", dstRemote: "x" })],
      ["operations/copyfile", (p) => ({ srcFs: "localstorage:bucket", srcRemote: "f", dstFs: "data:", dstRemote: p })],
      [
        "operations/copyfile",
        (p) => ({ srcFs: "data:", srcRemote: "ks/t-1/me-1-big-Data.db", dstFs: `localstorage:${p}`, dstRemote: "x" }),
      ],
      ["operations/movefile", (p) => ({ srcFs: "data:", srcRemote: p, dstFs: "localstorage:bucket", dstRemote: "m" })],
      ["operations/deletefile", (p) => ({ fs: "data:", remote: p })],
      ["operations/deletepaths", (p) => ({ fs: "data:", remote: "", paths: [p] })],
      ["operations/purge", (p) => ({ fs: "data:", remote: p })],
      ["sync/copydir", (p) => ({ srcFs: "data:", srcRemote: p, dstFs: "localstorage:bucket", dstRemote: "d" })],
      [
        "sync/copypaths",
        (p) => ({ srcFs: "localstorage:bucket", srcRemote: "", dstFs: "data:", dstRemote: p, paths: ["f"] }),
      ],
      ["sync/movedir", (p) => ({ srcFs: "data:", srcRemote: p, dstFs: "localstorage:bucket", dstRemote: "mv" })],
    ];
    for (const [call, make] of params) for (const p of bad) await rc(call, make(p));
    await stillAnswering("traversal");

    // 2. Symlinks of every kind, read and written through.
    const links = ["to-canary", "to-outside-dir", "relative-out", "dangling", "loop-a", "self", "chain"].map(
      (l) => `ks/t-1/${l}`,
    );
    links.push("ks-out", "ks-out/canary.txt", "ks-out/dir", "ks/t-1/to-outside-dir/canary.txt");
    for (const link of links) {
      await rc("operations/cat", { fs: "data:", remote: link });
      await rc("operations/fileinfo", { fs: "data:", remote: link });
      await rc("operations/list", { fs: "data:", remote: link, opt: { recurse: true } });
      await rc("operations/copyfile", {
        srcFs: "data:",
        srcRemote: link,
        dstFs: "localstorage:bucket",
        dstRemote: `exfil-${link.replaceAll("/", "_")}`,
      });
      await rc("operations/copyfile", {
        srcFs: "localstorage:bucket",
        srcRemote: "f",
        dstFs: "data:",
        dstRemote: `${link}/planted`,
      });
      await rc("operations/deletefile", { fs: "data:", remote: link });
    }
    await rc("sync/copydir", { srcFs: "data:", srcRemote: "ks", dstFs: "localstorage:bucket", dstRemote: "ksdump" });
    await rc("operations/list", { fs: "data:", remote: "", opt: { recurse: true } });
    await rc("operations/purge", { fs: "data:", remote: "ks-out" });
    await stillAnswering("symlinks");

    // 3. Bodies over the limit, declared and chunked; malformed JSON.
    const auth = `Authorization: Bearer ${TEST_TOKEN}\r\n`;
    const post = (call: string, extra: string) =>
      `POST /agent/rclone/${call} HTTP/1.1\r\nHost: ${IP}\r\n${auth}${extra}`;
    await raw("declared 64 MiB", `${post("operations/list", `Content-Length: ${64 * 1024 * 1024}\r\n\r\n`)}{"fs":"`, [
      Buffer.alloc(2 * 1024 * 1024, 0x61),
    ]);
    await raw(
      "chunked 16 MiB",
      post("operations/list", "Transfer-Encoding: chunked\r\n\r\n"),
      chunkedBody('{"fs":"', 16, 1024 * 1024),
    );
    const malformed = [
      "",
      "[]",
      "null",
      "\ufeff{}",
      "{",
      `{"fs":"${"q".repeat(100_000)}`,
      "[".repeat(100_000),
      `{"fs":${"[".repeat(100_000)}${"]".repeat(100_000)}}`,
      '{"fs":1,"remote":{"a":1}}',
      '{"fs":"data:","remote":"","opt":"x"}',
      '{"_async":"maybe","fs":"data:"}',
      '{"fs":"\\ud800"}',
    ];
    for (const body of malformed) {
      const bytes = Buffer.from(body);
      await raw(
        `malformed ${body.slice(0, 30)}`,
        Buffer.concat([
          Buffer.from(
            post("operations/list", `Content-Type: application/json\r\nContent-Length: ${bytes.length}\r\n\r\n`),
          ),
          bytes,
        ]),
      );
    }
    const invalidUtf8 = Buffer.from([0x7b, 0x22, 0x66, 0x73, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]);
    await raw(
      "invalid UTF-8",
      Buffer.concat([
        Buffer.from(post("operations/list", `Content-Length: ${invalidUtf8.length}\r\n\r\n`)),
        invalidUtf8,
      ]),
    );
    await stillAnswering("bodies");

    // 4. Token variants (each 401 waits out the 1 s penalty; in parallel).
    const tokens = [
      "",
      "Bearer",
      "Bearer ",
      `Bearer  ${TEST_TOKEN}`,
      `Bearer ${TEST_TOKEN}x`,
      `Bearer ${TEST_TOKEN.slice(0, -1)}`,
      `Basic ${Buffer.from(`x:${TEST_TOKEN}`).toString("base64")}`,
      `Bearer ${"t".repeat(64 * 1024)}`,
      `Bearer ${TEST_TOKEN}\u0000`,
      `${TEST_TOKEN}`,
    ];
    await Promise.all(
      tokens.map((token, i) =>
        raw(
          `token variant ${i}`,
          `GET /agent/node_info HTTP/1.1\r\nHost: ${IP}\r\n${token === "" ? "" : `Authorization: ${token}\r\n`}\r\n`,
        ),
      ),
    );
    await raw("token in the query", `GET /agent/node_info?token=${TEST_TOKEN} HTTP/1.1\r\nHost: ${IP}\r\n\r\n`);
    await stillAnswering("tokens");

    // 5. Host and target tricks, random paths.
    for (const head of [
      `GET /agent/node_info HTTP/1.1\r\nHost: a@b\r\n${auth}\r\n`,
      `GET /ping HTTP/1.1\r\nHost: x/agent/node_info?\r\n\r\n`,
      `GET /agent/../agent/node_info HTTP/1.1\r\nHost: ${IP}\r\n${auth}\r\n`,
      `GET /agent/rclone/..%2f..%2fetc HTTP/1.1\r\nHost: ${IP}\r\n${auth}\r\n`,
      `GET /${"p".repeat(60_000)} HTTP/1.1\r\nHost: ${IP}\r\n${auth}\r\n`,
    ]) {
      await raw(`host/target ${head.slice(0, 40)}`, head);
    }
    for (let i = 0; i < 50; i++) {
      await raw(
        `random path ${i}`,
        `GET /agent/${crypto.randomUUID()}/${"z".repeat(i * 20)} HTTP/1.1\r\nHost: ${IP}\r\n${auth}\r\n`,
      );
    }
    await stillAnswering("random");

    // The jail held: canaries unchanged, nothing new outside, no canary bytes in the bucket.
    for (const [file, bytes] of canaryFiles) {
      if (!readFileSync(join(outside, file)).equals(bytes)) figures.jailEscapes.push(`${file} changed`);
    }
    const outsideNow = listTree(outside).sort();
    if (JSON.stringify(outsideNow) !== JSON.stringify(["canary.txt", "dir", "dir/canary2.txt"])) {
      figures.jailEscapes.push(`files outside the jail: ${outsideNow.join(", ")}`);
    }
    for (const file of listTree(t.storageDir)) {
      const path = join(t.storageDir, file);
      try {
        if (readFileSync(path).includes(CANARY)) figures.jailEscapes.push(`canary copied to ${relative(t.root, path)}`);
      } catch {
        // a directory
      }
    }

    await Bun.sleep(200);
    figures.rssAfterMiB = rssMiBSelf();
    printFigures("agent", figures);
    expect(figures.jailEscapes).toEqual([]);
    expect(figures.serverErrors).toEqual([]);
    expect(figures.hangs).toEqual([]);
    expect(figures.leaks).toEqual([]);
    expect(figures.rssAfterMiB - figures.rssBeforeMiB).toBeLessThan(50);
  }, 120_000);
});
