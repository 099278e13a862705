#!/usr/bin/env bun
import { runManagerMain } from "../src/cli/manager-main.ts";

process.exitCode = await runManagerMain(process.argv.slice(2), process.argv0);
