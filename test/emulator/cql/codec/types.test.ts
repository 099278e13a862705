import { describe, expect, test } from "bun:test";
import { types } from "cassandra-driver";
import { BodyWriter } from "./buffer.ts";
import { decodeValue, encodeValue, parseType, writeTypeOption } from "./types.ts";

describe("CQL type codec", () => {
  test("type text parses into descriptors; frozen marks collections; varchar is text", () => {
    expect(parseType("frozen<map<text, list<int>>>")).toEqual({
      kind: "map",
      key: { kind: "native", name: "text" },
      value: { kind: "list", element: { kind: "native", name: "int" }, frozen: false },
      frozen: true,
    });
    expect(parseType("varchar")).toEqual({ kind: "native", name: "text" });
    expect(() => parseType("nosuch", "ks")).toThrow("Unknown type ks.nosuch");
  });

  test("[option] encoding of nested types", () => {
    const w = new BodyWriter();
    writeTypeOption(w, parseType("map<text, set<uuid>>"));
    expect(w.toBuffer().toString("hex")).toBe(["0021", "000d", "0022", "000c"].join(""));
  });

  test("values round-trip through encode/decode", () => {
    const cases: Array<[string, unknown, unknown]> = [
      ["text", "zażółć", "zażółć"],
      ["int", -42, -42],
      ["bigint", 2n ** 40n, 2n ** 40n],
      ["boolean", true, true],
      ["uuid", "8F2D3A10-0000-4000-8000-000000000001", "8f2d3a10-0000-4000-8000-000000000001"],
      ["double", 1.5, 1.5],
      ["list<int>", [1, 2, 3], [1, 2, 3]],
      ["map<text, int>", { a: 1, b: 2 }, { a: 1, b: 2 }],
    ];
    for (const [type, input, output] of cases) {
      const t = parseType(type);
      expect(decodeValue(t, encodeValue(t, input))).toEqual(output);
    }
  });

  test("inet and timestamp bytes match what the DataStax driver decodes", () => {
    expect(new types.InetAddress(encodeValue(parseType("inet"), "127.0.16.1")!).toString()).toBe("127.0.16.1");
    expect(new types.InetAddress(encodeValue(parseType("inet"), "fe80::1:2")!).toString()).toBe("fe80::1:2");
    const ts = encodeValue(parseType("timestamp"), new Date("2026-01-02T03:04:05.678Z"))!;
    expect(Number(ts.readBigInt64BE(0))).toBe(Date.parse("2026-01-02T03:04:05.678Z"));
    expect(encodeValue(parseType("text"), null)).toBeNull();
    expect(() => encodeValue(parseType("uuid"), "not-a-uuid")).toThrow("Invalid UUID string");
  });
});
