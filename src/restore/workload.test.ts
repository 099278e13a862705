import { describe, expect, test } from "bun:test";
import { filterRestored, groupSSTables, resolveVersions } from "./workload.ts";

describe("workload index", () => {
  test("versions: the smallest suffix after the tag wins, else the plain file", () => {
    const listing = [
      { name: "mc-5-big-Data.db", size: 30 },
      { name: "mc-5-big-Data.db.sm_20210101000000UTC", size: 10 },
      { name: "mc-5-big-Data.db.sm_20230101000000UTC", size: 20 },
      { name: "mc-5-big-Data.db.sm_20220101000000UTC", size: 15 },
      { name: "mc-5-big-TOC.txt", size: 1 },
    ];
    const files = ["mc-5-big-Data.db", "mc-5-big-TOC.txt"];
    const r = resolveVersions(files, listing, "sm_20210601000000UTC");
    expect(r.get("mc-5-big-Data.db")).toEqual({
      name: "mc-5-big-Data.db.sm_20220101000000UTC",
      size: 15,
      versioned: true,
    });
    expect(r.get("mc-5-big-TOC.txt")).toEqual({ name: "mc-5-big-TOC.txt", size: 1, versioned: false });
    const newest = resolveVersions(files, listing, "sm_20240101000000UTC");
    expect(newest.get("mc-5-big-Data.db")?.name).toBe("mc-5-big-Data.db");
    const sstables = groupSSTables(files, r);
    expect(sstables).toEqual([
      {
        id: "5",
        idType: "int",
        toc: "mc-5-big-TOC.txt",
        files: ["mc-5-big-Data.db.sm_20220101000000UTC", "mc-5-big-TOC.txt"],
        size: 16,
        versioned: true,
      },
    ]);
    expect(() => resolveVersions(["mc-6-big-Data.db"], listing, "sm_20210601000000UTC")).toThrow(
      "file mc-6-big-Data.db is not present",
    );
  });

  test("resume drops SSTables restored before and emptied dirs", () => {
    const mk = (id: string, size: number) => ({
      id,
      idType: "int" as const,
      toc: "",
      files: [],
      size,
      versioned: false,
    });
    const dirs = [
      {
        keyspace: "ks",
        table: "t",
        location: "s3:b",
        dc: "dc1",
        nodeId: "n",
        remoteSstableDir: "A",
        size: 3,
        sstables: [mk("1", 1), mk("2", 2)],
      },
      {
        keyspace: "ks",
        table: "t",
        location: "s3:b",
        dc: "dc1",
        nodeId: "n",
        remoteSstableDir: "B",
        size: 1,
        sstables: [mk("1", 1)],
      },
    ];
    const out = filterRestored(
      dirs,
      new Map([
        ["A", new Set(["2"])],
        ["B", new Set(["1"])],
      ]),
    );
    expect(out.map((d) => [d.remoteSstableDir, d.size, d.sstables.map((s) => s.id)])).toEqual([["A", 1, ["1"]]]);
  });
});
