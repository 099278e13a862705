import { describe, expect, test } from "bun:test";
import { formatDuration, formatPlainTime, formatSize, formatTime, formatVersion } from "./format.ts";
import { renderTable, SEPARATOR } from "./table.ts";

describe("renderTable", () => {
  test("box drawing with header, separator and right alignment", () => {
    const out = renderTable({
      header: ["Keyspace", "Table", "Progress"],
      rows: [["ks1", "t1", "100%"], ["", "table_two", "5%"], SEPARATOR, ["ks2", "t", "-"]],
      align: ["left", "right", "left"],
      ascii: false,
    });
    expect(`\n${out}`).toMatchInlineSnapshot(`
      "
      ╭──────────┬───────────┬──────────╮
      │ Keyspace │     Table │ Progress │
      ├──────────┼───────────┼──────────┤
      │ ks1      │        t1 │ 100%     │
      │          │ table_two │ 5%       │
      ├──────────┼───────────┼──────────┤
      │ ks2      │         t │ -        │
      ╰──────────┴───────────┴──────────╯
      "
    `);
  });

  test("ASCII when SCTOOL_ASCII_TABLES is set; multi-line and cut cells", () => {
    const out = renderTable({
      header: ["ID", "Status"],
      rows: [
        ["a", "ERROR\ncause"],
        ["b", "a very long status"],
      ],
      maxWidth: [undefined, 8],
      ascii: true,
    });
    expect(`\n${out}`).toMatchInlineSnapshot(`
      "
      +----+----------+
      | ID | Status   |
      +----+----------+
      | a  | ERROR    |
      |    | cause    |
      | b  | a very … |
      +----+----------+
      "
    `);
  });
});

describe("format", () => {
  test("formatTime: Go layout in the given zone", () => {
    const date = new Date("2023-02-16T17:09:00Z");
    expect(formatTime(date, "UTC")).toBe("16 Feb 23 17:09:00 UTC");
    expect(formatTime("2023-02-16T17:09:00Z", "America/New_York")).toBe("16 Feb 23 12:09:00 EST");
    expect(formatTime(date, "Asia/Kolkata")).toBe("16 Feb 23 22:39:00 +0530");
    expect(formatTime(date, "Europe/Warsaw")).toBe("16 Feb 23 18:09:00 +01");
    expect(formatTime("0001-01-01T00:00:00Z")).toBe("");
    expect(formatTime(undefined)).toBe("");
    expect(formatTime("garbage")).toBe("");
  });

  test("formatPlainTime: 2006-01-02 15:04:05 in the given zone", () => {
    expect(formatPlainTime("2023-02-16T07:09:05Z", "UTC")).toBe("2023-02-16 07:09:05");
    expect(formatPlainTime(new Date("2023-02-16T03:09:05Z"), "America/New_York")).toBe("2023-02-15 22:09:05");
  });

  test("formatSize: binary units, integer or %.3f", () => {
    expect([0, 512, 1024, 1536, 15.43 * 1024 ** 3, 1024 ** 5 * 3].map(formatSize)).toEqual([
      "0B",
      "512B",
      "1KiB",
      "1.500KiB",
      "15.430GiB",
      "3PiB",
    ]);
  });

  test("formatDuration and formatVersion", () => {
    expect(formatDuration(3_600_000)).toBe("1h0m0s");
    expect(formatDuration(121_900)).toBe("2m1s");
    expect(formatVersion("2025.1.0-0.20250101.abcdef")).toBe("2025.1.0");
    expect(formatVersion("3.5.0")).toBe("3.5.0");
    expect(formatVersion("")).toBe("-");
  });
});
