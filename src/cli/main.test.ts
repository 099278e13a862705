import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { Hono } from "hono";
import { defaultServerConfig } from "../config/server.ts";
import { type Daemon, startDaemon } from "../server/daemon.ts";
import { MANAGER_VERSION } from "../server/version.ts";
import { createSilentLogger } from "../util/log.ts";
import { runCli } from "./main.ts";

async function run(argv: string[], env: Record<string, string | undefined> = {}) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    io: {
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
      env,
    },
  });
  return { code, stdout, stderr };
}

let daemon: Daemon;
let failing: ReturnType<typeof Bun.serve>;
beforeAll(async () => {
  const config = { ...defaultServerConfig(), store: "memory" as const, http: "127.0.50.10:0", prometheus: "" };
  daemon = await startDaemon([], { config, logger: createSilentLogger() });
  const app = new Hono();
  app.all("*", (c) =>
    c.json({ message: "get resource: not found", details: "check the cluster name", trace_id: "abc123" }, 404),
  );
  failing = Bun.serve({ hostname: "127.0.50.11", port: 0, fetch: app.fetch });
});
afterAll(async () => {
  await daemon.close();
  await failing.stop(true);
});

describe("runCli", () => {
  test("version prints client and server versions", async () => {
    const result = await run(["version", "--api-url", `${daemon.urls.http}/api/v1`]);
    expect(result).toEqual({
      code: 0,
      stdout: `Client version: ${MANAGER_VERSION}\nServer version: ${MANAGER_VERSION}\n`,
      stderr: "",
    });
  });

  test("SCYLLA_MANAGER_API_URL and --api-url=value", async () => {
    const viaEnv = await run(["version"], { SCYLLA_MANAGER_API_URL: `${daemon.urls.http}/api/v1` });
    expect(viaEnv.stdout).toContain(`Server version: ${MANAGER_VERSION}`);
    const inline = await run([`--api-url=${daemon.urls.http}/api/v1`, "version"]);
    expect(inline.code).toBe(0);
  });

  test("SCTOOL_DUMP_HTTP dumps requests and answers to stderr", async () => {
    const result = await run(["version", "--api-url", `${daemon.urls.http}/api/v1`], { SCTOOL_DUMP_HTTP: "1" });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      `> GET ${daemon.urls.http}/api/v1/version\n< 200\n< ${JSON.stringify({ version: MANAGER_VERSION })}\n`,
    );
  });

  test("server errors print details, message and trace id", async () => {
    const result = await run(["version", "--api-url", `http://127.0.50.11:${failing.port}/api/v1`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatchInlineSnapshot(`
      "check the cluster name

      Error: get resource: not found
      Trace ID: abc123 (grep in scylla-manager logs)

      "
    `);
  });

  test("an unreachable server: message and hint, no stack unless --debug", async () => {
    const url = "http://127.0.50.12:9/api/v1";
    const plain = await run(["version", "--api-url", url]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatchInlineSnapshot(`
      "Error: GET http://127.0.50.12:9/api/v1/version: connection refused
      Hint: make sure the Scylla Manager server is running and --api-url (SCYLLA_MANAGER_API_URL) points at it

      "
    `);
    const debug = await run(["version", "--api-url", url, "--debug"]);
    expect(debug.stderr).toContain("\n    at ");
  });

  test("unknown command and flag: one line naming the closest name, a blank line (as SM), exit 1", async () => {
    expect(await run(["verison"])).toEqual({
      code: 1,
      stdout: "",
      stderr: 'Error: unknown command "verison" for "sctool", did you mean "version"?\n\n',
    });
    expect((await run(["completion", "bsh"])).stderr).toBe(
      'Error: unknown command "bsh" for "sctool completion", did you mean "bash"?\n\n',
    );
    expect(await run(["version", "--api-ur", "x"])).toEqual({
      code: 1,
      stdout: "",
      stderr: "Error: unknown flag: --api-ur, did you mean --api-url?\n\n",
    });
    expect((await run(["verison", "--help"])).stderr).toBe(
      'Error: unknown command "verison" for "sctool", did you mean "version"?\n\n',
    );
    expect((await run(["version", "extra"])).stderr).toBe(
      'Error: unknown command "extra" for "sctool version" (it accepts no arguments)\n\n',
    );
  });

  test("--api-cert-file without --api-key-file is an error", async () => {
    const result = await run(["version", "--api-cert-file", "/tmp/x.pem"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toStartWith("Error: both --api-cert-file and --api-key-file must be set\n");
  });

  test("help of a command", async () => {
    const result = await run(["version", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatchInlineSnapshot(`
      "Show version information

      This command shows the currently installed sctool version and the Scylla Manager server version.

      Usage:
        sctool version [flags]

      Flags:
        -h, --help   help for version

      Global Flags:
            --api-cert-file path   File path to HTTPS client certificate used to access the Scylla Manager server when client certificate validation is enabled (envvar SCYLLA_MANAGER_API_CERT_FILE).
            --api-key-file path    File path to HTTPS client key associated with --api-cert-file flag (envvar SCYLLA_MANAGER_API_KEY_FILE).
            --api-token token      Bearer token for a server with auth_token set (envvar SCYLLA_MANAGER_API_TOKEN).
            --api-url URL          Base URL of Scylla Manager server (envvar SCYLLA_MANAGER_API_URL).
                                   If running sctool on the same machine as server, it's generated based on '/etc/scylla-manager/scylla-manager.yaml' file.
            --debug                Print stack traces of errors.
      "
    `);
  });

  test("root help lists the commands; every command has --help", async () => {
    const root = await run([]);
    expect(root.code).toBe(0);
    expect(root.stdout).toContain("Available Commands:\n");
    const names = [...root.stdout.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((m) => m[1] ?? "");
    expect(names).toContain("version");
    for (const name of names) {
      const help = await run([name, "--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage:\n  sctool ${name}`);
    }
  });

  test("completion bash completes sub-commands and flags", async () => {
    const script = (await run(["completion", "bash"])).stdout;
    const complete = (words: string[]) => {
      const program = `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _sctool_completions; echo "\${COMPREPLY[@]}"`;
      return spawnSync("bash", ["-c", program], { encoding: "utf8" }).stdout.trim();
    };
    expect(complete(["sctool", "ver"])).toBe("version");
    expect(complete(["sctool", "completion", ""]).split(" ").slice(0, 3)).toEqual(["bash", "fish", "zsh"]);
    expect(complete(["sctool", "version", "--api-u"])).toBe("--api-url");
  });

  test("completion fish and zsh scripts name every command", async () => {
    const fish = (await run(["completion", "fish"])).stdout;
    expect(fish).toContain("complete -c sctool -n 'test \"(__sctool_path)\" = \\'sctool\\'' -a 'version'");
    const zsh = (await run(["completion", "zsh"])).stdout;
    expect(zsh).toStartWith("#compdef sctool\n");
    expect(zsh).toContain("complete -o default -F _sctool_completions sctool");
  });
});
