import { expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BUN = process.execPath;
const CLI = join(import.meta.dir, "cli.ts");

test("cli up writes cluster.json when serving and frees the ports on SIGTERM", async () => {
  const dir = mkdtempSync(join(tmpdir(), "emu-cli-"));
  try {
    const proc = Bun.spawn(
      [BUN, CLI, "up", "--dcs", "dc1:1,dc2:1", "--dir", dir, "--ip-prefix", "127.0.13.", "--seed", "3"],
      {
        stdout: "pipe",
        stderr: "pipe",
      },
    );
    const file = join(dir, "cluster.json");
    for (let i = 0; i < 100 && !existsSync(file); i++) await Bun.sleep(100);
    const doc = JSON.parse(readFileSync(file, "utf8")) as {
      control: string;
      nodes: Array<{ ip: string; dc: string; rest_port: number }>;
    };
    expect(doc.nodes.map((n) => `${n.ip}/${n.dc}`)).toEqual(["127.0.13.1/dc1", "127.0.13.2/dc2"]);
    expect(await (await fetch(`http://127.0.13.2:${doc.nodes[1]?.rest_port}/snitch/datacenter`)).json()).toBe("dc2");
    expect((await fetch(`${doc.control}/cluster`)).status).toBe(200);
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    await expect(fetch("http://127.0.13.1:10000/storage_service/host_id")).rejects.toThrow();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("cli up with a bad flag prints one line and exits 1", async () => {
  const proc = Bun.spawn([BUN, CLI, "up", "--dcs", "dc1:none", "--dir", tmpdir()], { stdout: "pipe", stderr: "pipe" });
  expect(await proc.exited).toBe(1);
  const err = await new Response(proc.stderr).text();
  expect(err).toContain('invalid --dcs part "dc1:none"');
  expect(err.trim().split("\n").length).toBe(1);
});
