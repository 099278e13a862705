// The compiled daemon (dist/scylla-manager, built by `npm run build` before `npm test` in CI) serves the explorer's
// and the console's files from inside the executable, with no node_modules or source tree beside it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const exe = join(import.meta.dir, "../../../dist/scylla-manager");
const hasExe = existsSync(exe);
if (!hasExe) console.log(`SKIP web assets in the executable: ${exe} is not built (npm run build)`);

describe.skipIf(!hasExe)("the compiled executable serves /ui/ and /console/", () => {
  // Made in beforeAll: the describe body runs even when the suite is skipped, and afterAll then never does.
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "sm-web-exe-"));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("every asset answers 200 from a copy of the executable outside the repository", async () => {
    const copy = join(dir, "scylla-manager");
    writeFileSync(copy, await Bun.file(exe).bytes(), { mode: 0o755 });
    const config = join(dir, "config.yaml");
    writeFileSync(config, `http: 127.8.9.1:5080\nprometheus: ""\ndata_dir: ${join(dir, "data")}\n`);
    const child = Bun.spawn([copy, "--daemon", "-c", config], { cwd: dir, stdout: "ignore", stderr: "pipe" });
    try {
      const base = "http://127.8.9.1:5080";
      let up = false;
      for (let i = 0; i < 100 && !up; i++) {
        up = await fetch(`${base}/ping`).then(
          (r) => r.status === 204,
          () => false,
        );
        if (!up) await Bun.sleep(100);
      }
      expect(up).toBe(true);
      const paths = [
        "/ui/",
        "/ui/swagger-ui-bundle.js",
        "/ui/swagger-ui.css",
        "/ui/init.js",
        "/console/",
        "/console/app.js",
      ];
      for (const path of paths) {
        const res = await fetch(`${base}${path}`);
        expect({ path, status: res.status }).toEqual({ path, status: 200 });
        expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(100);
      }
    } finally {
      child.kill("SIGTERM");
      await child.exited;
    }
  }, 30_000);
});
