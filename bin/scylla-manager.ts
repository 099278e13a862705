#!/usr/bin/env bun
import { runManagerMain } from "../src/cli/manager-main.ts";

// No top-level await: the executable is a CommonJS bundle (build.ts), which cannot have one.
runManagerMain(process.argv.slice(2), process.argv0).then((code) => {
  process.exitCode = code;
});
