/**
 * The container files, tested without a Docker engine: every file a Dockerfile or the compose file copies or mounts
 * exists (after `npm run build` for dist/), and each image's entrypoint, run here with the image's config, starts:
 * the server answers /ping, the agent prints its version.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "yaml";

const root = resolve(import.meta.dir, "../..");
const here = import.meta.dir;
const exe = join(root, "dist/scylla-manager");
const built = existsSync(exe);
if (!built) console.log("docker files: dist/scylla-manager not built (npm run build); entrypoints not run");
const work = mkdtempSync(join(tmpdir(), "sm-docker-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** COPY sources and the ENTRYPOINT of a Dockerfile. */
function readDockerfile(name: string) {
  const text = readFileSync(join(here, name), "utf8");
  const copies = [...text.matchAll(/^COPY\s+(\S+)\s+(\S+)$/gm)].map((match) => ({
    src: match[1] ?? "",
    dst: match[2] ?? "",
  }));
  const entrypoint = JSON.parse(/^ENTRYPOINT\s+(\[.*\])$/m.exec(text)?.[1] ?? "[]") as string[];
  return { copies, entrypoint };
}

/** Maps an image path back to the file it was copied from. */
function fromImage(path: string, copies: { src: string; dst: string }[]): string {
  const copy = copies.find((entry) => entry.dst === path);
  return copy ? join(root, copy.src) : path;
}

describe("Dockerfiles", () => {
  test.each(["scylla-manager.dockerfile", "scylla-manager-agent.dockerfile"])("%s copies files that exist", (name) => {
    const { copies } = readDockerfile(name);
    expect(copies.length).toBeGreaterThan(0);
    for (const { src } of copies) {
      if (src.startsWith("dist/") && !built) continue;
      expect({ src, exists: existsSync(join(root, src)) }).toEqual({ src, exists: true });
    }
  });

  test.skipIf(!built)(
    "the server image's entrypoint starts the daemon with the image's config",
    async () => {
      const { copies, entrypoint } = readDockerfile("scylla-manager.dockerfile");
      const override = join(work, "override.yaml");
      // The image listens on 0.0.0.0:5080; here the same config plus a loopback address of this test's own.
      writeFileSync(override, 'http: 127.9.3.1:5080\nprometheus: ""\n');
      const [command = "", ...args] = entrypoint.map((part) => fromImage(part, copies));
      const child = Bun.spawn([command, ...args, "-c", override], {
        env: { ...process.env, SCYLLA_MANAGER_DATA_DIR: join(work, "data") },
        stdout: "ignore",
        stderr: "ignore",
      });
      try {
        let status = 0;
        for (let i = 0; i < 100 && status !== 204; i++) {
          status = await fetch("http://127.9.3.1:5080/ping").then(
            (response) => response.status,
            () => 0,
          );
          if (status !== 204) await Bun.sleep(100);
        }
        expect(status).toBe(204);
      } finally {
        child.kill("SIGTERM");
        await child.exited;
      }
    },
    30_000,
  );

  test.skipIf(!built)("the agent image's entrypoint is the agent", async () => {
    const { copies, entrypoint } = readDockerfile("scylla-manager-agent.dockerfile");
    // The image calls the executable by the agent's name; a link of that name stands in for the image's copy.
    const agent = join(root, "dist/scylla-manager-agent");
    const [, ...args] = entrypoint.map((part) => fromImage(part, copies));
    const child = Bun.spawn([agent, ...args, "--version"], { stdout: "pipe", stderr: "pipe" });
    expect(await child.exited).toBe(0);
    expect((await new Response(child.stdout).text()).trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe("compose.yaml", () => {
  const compose = parse(readFileSync(join(here, "compose.yaml"), "utf8")) as {
    services: Record<
      string,
      { build?: { dockerfile: string }; image?: string; network_mode?: string; volumes?: string[] }
    >;
    volumes?: Record<string, unknown>;
  };

  test("builds from the Dockerfiles here and mounts files that exist", () => {
    for (const service of Object.values(compose.services)) {
      if (service.build) expect(existsSync(join(root, service.build.dockerfile))).toBe(true);
      for (const volume of service.volumes ?? []) {
        const source = volume.split(":")[0] ?? "";
        if (source.startsWith("./"))
          expect({ source, exists: existsSync(join(here, source)) }).toEqual({ source, exists: true });
        else expect(Object.keys(compose.volumes ?? {})).toContain(source);
      }
    }
  });

  test("the server, Prometheus, and agents each beside a Scylla node with that node's data", () => {
    const built = (dockerfile: string) =>
      Object.entries(compose.services).filter(([, service]) => service.build?.dockerfile.endsWith(dockerfile));
    expect(built("/scylla-manager.dockerfile").length).toBe(1);
    expect(Object.values(compose.services).some((service) => service.image?.startsWith("prom/prometheus"))).toBe(true);
    const agents = built("/scylla-manager-agent.dockerfile");
    expect(agents.length).toBeGreaterThanOrEqual(2);
    for (const [name, agent] of agents) {
      const node = compose.services[(agent.network_mode ?? "").replace(/^service:/, "")];
      expect({ name, node: node?.image }).toEqual({ name, node: expect.stringMatching(/^scylladb\/scylla:/) });
      const dataVolume = (node?.volumes ?? []).find((volume) => volume.endsWith(":/var/lib/scylla"));
      expect(agent.volumes).toContain(dataVolume ?? "a data volume on the node");
    }
  });
});
