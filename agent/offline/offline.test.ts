import { describe, expect, test } from "bun:test";
import { indentJson } from "../download/plan.ts";
import { formatGoDurationNs, formatGoUtcTime, formatSizeSuffix } from "./format.ts";
import { FlagError, parseFlags } from "./pflag.ts";

describe("rclone's SizeSuffix", () => {
  test("scaled to the largest binary unit, three decimals unless exact", () => {
    expect(formatSizeSuffix(0)).toBe("0");
    expect(formatSizeSuffix(-1)).toBe("off");
    expect(formatSizeSuffix(1000)).toBe("1000");
    expect(formatSizeSuffix(1024)).toBe("1k");
    expect(formatSizeSuffix(1536)).toBe("1.500k");
    expect(formatSizeSuffix(1_256_034)).toBe("1.198M");
    expect(formatSizeSuffix(2 * 1024 ** 3)).toBe("2G");
    expect(formatSizeSuffix(3 * 1024 ** 5 + 1024 ** 4)).toBe("3.001P");
  });

  test("an exact tie at the third decimal goes to the even digit, as Go's %.3f", () => {
    // 1.0625k and 1.1875k are exactly representable: Go prints 1.062k and 1.188k.
    expect(formatSizeSuffix(1088)).toBe("1.062k");
    expect(formatSizeSuffix(1216)).toBe("1.188k");
    expect(formatSizeSuffix(1090)).toBe("1.064k");
  });
});

describe("Go's Duration and Time strings", () => {
  test("durations", () => {
    expect(formatGoDurationNs(0n)).toBe("0s");
    expect(formatGoDurationNs(850n)).toBe("850ns");
    expect(formatGoDurationNs(1500n)).toBe("1.5µs");
    expect(formatGoDurationNs(12_345_000n)).toBe("12.345ms");
    expect(formatGoDurationNs(1_000_000_001n)).toBe("1.000000001s");
    expect(formatGoDurationNs(62_500_000_000n)).toBe("1m2.5s");
    expect(formatGoDurationNs(7_200_000_000_000n)).toBe("2h0m0s");
  });

  test("UTC time", () => {
    expect(formatGoUtcTime(new Date("2021-02-15T15:19:54Z"))).toBe("2021-02-15 15:19:54 +0000 UTC");
  });
});

describe("pflag-style parsing", () => {
  const specs = {
    location: { kind: "string", short: "L", required: true, usage: "" },
    keyspace: { kind: "list", short: "K", usage: "" },
    "dry-run": { kind: "bool", usage: "" },
    parallel: { kind: "int", short: "p", default: 4, usage: "" },
  } as const;

  test("long, short, inline and repeated forms", () => {
    const p = parseFlags(["-Ls3:b", "--keyspace=a,b", "-K", "c", "--dry-run", "-p", "2"], specs);
    expect(p.values).toEqual({ location: "s3:b", keyspace: ["a", "b", "c"], "dry-run": true, parallel: 2 });
    expect(parseFlags(["--location", "x", "--dry-run=false"], specs).values.parallel).toBe(4);
  });

  test("pflag's error texts", () => {
    const fails = (argv: string[]) => {
      try {
        parseFlags(argv, specs);
      } catch (error) {
        expect(error).toBeInstanceOf(FlagError);
        return (error as Error).message;
      }
      return "";
    };
    expect(fails(["--nope"])).toBe("unknown flag: --nope");
    expect(fails(["-x"])).toBe("unknown shorthand flag: 'x' in -x");
    expect(fails(["-L"])).toBe("flag needs an argument: 'L' in -L");
    expect(fails(["--location"])).toBe("flag needs an argument: --location");
    expect(fails(["-L", "a", "-p", "two"])).toBe(
      'invalid argument "two" for "-p, --parallel" flag: strconv.ParseInt: parsing "two": invalid syntax',
    );
    expect(fails([])).toBe('required flag(s) "location" not set');
  });
});

test("JSON indented as Go's json.Indent, token text untouched", () => {
  expect(indentJson('{"a":[1,-9078676821455972090],"b":{},"c":[],"d":"x,{\\"y\\":1}"}')).toBe(
    '{\n  "a": [\n    1,\n    -9078676821455972090\n  ],\n  "b": {},\n  "c": [],\n  "d": "x,{\\"y\\":1}"\n}',
  );
});
