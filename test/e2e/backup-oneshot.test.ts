/** `scylla-manager backup --host --auth-token -L ...`: a one-shot backup in-process with live progress. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runOneShotBackup } from "../../src/cli/oneshot/backup.ts";
import { type EmulatedCluster, startCluster } from "../emulator/index.ts";
import { testSchemaSpec } from "../emulator/storage/testing.ts";

const TOKEN = "backup-oneshot";
let dir: string;
let emu: EmulatedCluster;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "backup-oneshot-"));
  mkdirSync(join(dir, "store", "backups"), { recursive: true });
  emu = await startCluster({
    dcs: [2],
    ipPrefix: "127.2.6.",
    dir: join(dir, "emu"),
    schema: testSchemaSpec(),
    agents: { authToken: TOKEN, config: { localstorage: { path: join(dir, "store") } } },
  });
}, 60_000);

afterAll(async () => {
  await emu?.close();
  rmSync(dir, { recursive: true, force: true });
});

test("one-shot backup: dry run, then a run with progress lines and the tag on stdout", async () => {
  let out = "";
  let err = "";
  const io = {
    stdout: (t: string) => {
      out += t;
    },
    stderr: (t: string) => {
      err += t;
    },
  };
  const base = [
    "backup",
    "--host",
    emu.nodes[0]?.ip ?? "",
    "--auth-token",
    TOKEN,
    "-L",
    "localstorage:backups",
    "-K",
    "ks1",
  ];
  expect(await runOneShotBackup([...base, "--dry-run"], io)).toBe(0);
  expect(out).toContain("Keyspaces:\n  - ks1 (small_table, users)\n");
  expect(out).toContain(`  - ${emu.nodes[0]?.ip} (dc1) -> localstorage:backups\n`);
  out = "";
  expect(await runOneShotBackup(base, io)).toBe(0);
  expect(out).toMatch(/^Backup done: sm_\d{14}UTC, /);
  expect(err).toMatch(/backup sm_\d{14}UTC DONE: 100% /);
  const meta = readdirSync(join(dir, "store", "backups"), { recursive: true }).filter((f) =>
    String(f).endsWith("_manifest.json.gz"),
  );
  expect(meta.length).toBe(2);
}, 60_000);
