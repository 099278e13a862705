#!/usr/bin/env bun
import { runManagerMain } from "../src/cli/manager-main.ts";

// No top-level await: it keeps `bun build --compile --bytecode` from precompiling the executable.
runManagerMain(process.argv.slice(2), process.argv0).then((code) => {
  process.exitCode = code;
});
