/** Runs an offline command in-process with its stdout and stderr collected (tests only). */
import type { CommandIo } from "./setup.ts";

export interface Captured {
  code: number;
  out: string;
  err: string;
}

/** Calls `command(argv, io)` with collecting writers. */
export async function captureCommand(
  command: (argv: readonly string[], io: CommandIo) => Promise<number>,
  argv: readonly string[],
): Promise<Captured> {
  let out = "";
  let err = "";
  const code = await command(argv, {
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
  });
  return { code, out, err };
}
