import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as v from "valibot";
import { ConfigError } from "../errors.ts";
import { loadYamlConfig } from "./load.ts";

const dir = mkdtempSync(join(tmpdir(), "config-load-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const Schema = v.strictObject({
  http: v.optional(v.string(), ""),
  list: v.optional(v.array(v.string()), ["a"]),
  logger: v.optional(
    v.strictObject({
      level: v.optional(v.picklist(["error", "info", "debug"]), "info"),
      development: v.optional(v.boolean(), false),
    }),
    {},
  ),
  port: v.optional(v.number(), 1),
});

function catchError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadYamlConfig", () => {
  test("no files gives the defaults", () => {
    expect(loadYamlConfig(Schema, [])).toEqual({
      http: "",
      list: ["a"],
      logger: { level: "info", development: false },
      port: 1,
    });
  });

  test("an empty file (or only comments) gives the defaults", () => {
    const empty = write("empty.yaml", "");
    const comments = write("comments.yaml", "# nothing here\n");
    expect(loadYamlConfig(Schema, [empty, comments]).logger.level).toBe("info");
  });

  test("files merge in order: objects deep, arrays and scalars replaced, null unsets", () => {
    const a = write("a.yaml", "http: 127.0.0.1:5080\nlist: [x, y]\nlogger:\n  level: debug\nport: 7\n");
    const b = write("b.yaml", "list: [z]\nlogger:\n  development: true\nport:\n");
    const c = write("c.yaml", "http: :5081\n");
    expect(loadYamlConfig(Schema, [a, b, c])).toEqual({
      http: ":5081",
      list: ["z"],
      logger: { level: "debug", development: true },
      port: 1,
    });
    // reversed order: a's values win
    expect(loadYamlConfig(Schema, [c, b, a]).http).toBe("127.0.0.1:5080");
  });

  test("an unknown key names the key path, the file and the valid keys", () => {
    const ok = write("ok.yaml", "http: :5080\n");
    const bad = write("unknown.yaml", "logger:\n  levle: debug\n");
    const error = catchError(() => loadYamlConfig(Schema, [ok, bad]));
    expect(error.message).toContain(bad);
    expect(error.message).not.toContain(ok);
    expect(error.message).toContain("logger.levle");
    expect(error.message).toContain("unknown key");
    expect(error.message).toContain("development, level");
    expect(error.hint).toBeTruthy();
  });

  test("a wrong type names the file, the key and what was expected", () => {
    const bad = write("type.yaml", "port: eighty\n");
    const error = catchError(() => loadYamlConfig(Schema, [bad]));
    expect(error.message).toContain(bad);
    expect(error.message).toContain("port");
    expect(error.message).toContain("expected number");
    expect(error.message).toContain('"eighty"');
  });

  test("every problem is reported, each with the file that set it", () => {
    const a = write("multi-a.yaml", "port: x\n");
    const b = write("multi-b.yaml", "logger:\n  level: loud\nextra: 1\n");
    const error = catchError(() => loadYamlConfig(Schema, [a, b]));
    expect(error.message).toContain(`${a}: port`);
    expect(error.message).toContain(`${b}: logger.level`);
    expect(error.message).toContain(`${b}: extra: unknown key`);
  });

  test("an unreadable or missing explicit path is a ConfigError naming it", () => {
    const missing = join(dir, "nope.yaml");
    const error = catchError(() => loadYamlConfig(Schema, [missing]));
    expect(error.message).toContain(missing);
    expect(error.message).toContain("no such file");
    const directory = catchError(() => loadYamlConfig(Schema, [dir]));
    expect(directory.message).toContain(dir);
    if (process.getuid?.() !== 0) {
      const locked = write("locked.yaml", "port: 2\n");
      chmodSync(locked, 0o000);
      expect(catchError(() => loadYamlConfig(Schema, [locked])).message).toContain("permission denied");
    }
  });

  test("optional files may be missing (SM skips a missing default config)", () => {
    const missing = join(dir, "default.yaml");
    expect(loadYamlConfig(Schema, [missing], { optionalFiles: [missing] }).port).toBe(1);
  });

  test("bad YAML and a non-mapping top level are ConfigErrors naming the file", () => {
    const syntax = write("syntax.yaml", "http: [unclosed\n");
    expect(catchError(() => loadYamlConfig(Schema, [syntax])).message).toContain(syntax);
    const dup = write("dup.yaml", "port: 1\nport: 2\n");
    expect(catchError(() => loadYamlConfig(Schema, [dup])).message).toContain(dup);
    const list = write("list.yaml", "- a\n- b\n");
    expect(catchError(() => loadYamlConfig(Schema, [list])).message).toContain("mapping");
  });

  test("overrides apply last and are named in errors", () => {
    const a = write("over.yaml", "port: 3\n");
    expect(loadYamlConfig(Schema, [a], { overrides: { label: "environment", values: { port: 9 } } }).port).toBe(9);
    const error = catchError(() =>
      loadYamlConfig(Schema, [a], { overrides: { label: "environment", values: { port: "x" } } }),
    );
    expect(error.message).toContain("environment: port");
  });
});
