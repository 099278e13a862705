/**
 * Runs one sctool command line in-process against `apiUrl` and captures what it prints (ASCII tables, as
 * SCTOOL_ASCII_TABLES=1 gives), for the e2e tests that drive our server the way a user does.
 */
import { runCli } from "../../src/cli/main.ts";

export interface SctoolRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runSctool(apiUrl: string, argv: readonly string[]): Promise<SctoolRun> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(["--api-url", apiUrl, ...argv], {
    io: {
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
      env: { SCTOOL_ASCII_TABLES: "1" },
    },
  });
  return { code, stdout, stderr };
}
