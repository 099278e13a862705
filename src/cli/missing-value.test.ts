import { expect, test } from "bun:test";
import { runCli } from "./main.ts";

async function run(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    io: {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
      env: {},
    },
  });
  return { code, stdout, stderr };
}

test("a value flag at the end without its value is SM's missing-argument error, not help", async () => {
  expect(await run("--api-url")).toEqual({
    code: 1,
    stdout: "",
    stderr: "Error: flag needs an argument: --api-url\n\n",
  });
  expect(await run("status", "-c")).toEqual({
    code: 1,
    stdout: "",
    stderr: "Error: flag needs an argument: 'c' in -c\n\n",
  });
});
