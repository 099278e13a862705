#!/usr/bin/env bun
import { runAgentMain } from "../agent/main.ts";

process.exitCode = await runAgentMain(process.argv.slice(2));
