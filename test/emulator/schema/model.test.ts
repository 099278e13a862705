import { describe, expect, test } from "bun:test";
import { createRandom } from "../random.ts";
import { defaultSchemaSpec } from "./default.ts";
import { SchemaModel } from "./model.ts";
import { parseSize } from "./size.ts";
import { applySchemaSpec, parseSchemaSpec } from "./spec.ts";
import { SchemaError } from "./types.ts";

const dcs = () => ["dc1", "dc2"];

describe("schema model", () => {
  test("default schema: system keyspaces, NTS RF 3 per DC, a view, an index view, a tablet keyspace", () => {
    const model = new SchemaModel({ datacenters: dcs });
    applySchemaSpec(model, defaultSchemaSpec(), createRandom(1));
    const names = model.keyspaces().map((k) => k.name);
    expect(names).toContain("system");
    expect(names).toContain("system_distributed");
    expect(model.keyspace("ks1")?.replication).toEqual({
      class: "org.apache.cassandra.locator.NetworkTopologyStrategy",
      dc1: "3",
      dc2: "3",
    });
    expect(model.keyspace("tablet_ks")?.tablets).toBe(true);
    expect(model.views().map((v) => v.name)).toEqual(["users_by_name"]);
    expect(model.indexViews().map((v) => v.name)).toEqual(["events_kind_index"]);
    expect(model.table("ks1", "users")?.sizeBytes).toBe(8 * 1024 * 1024);
  });

  test("every change bumps the version and notifies listeners; errors read like Scylla", () => {
    const model = new SchemaModel({ datacenters: dcs });
    const seen: string[] = [];
    model.onChange((change, version) => seen.push(`${change.kind}:${change.change}:${version}`));
    const v0 = model.version;
    model.createKeyspace(
      {
        name: "k",
        replication: { class: "org.apache.cassandra.locator.SimpleStrategy", replication_factor: "1" },
        durableWrites: true,
        tablets: false,
      },
      false,
    );
    expect(model.version).not.toBe(v0);
    expect(() =>
      model.createKeyspace(
        {
          name: "k",
          replication: { class: "org.apache.cassandra.locator.SimpleStrategy", replication_factor: "1" },
          durableWrites: true,
          tablets: false,
        },
        false,
      ),
    ).toThrow(SchemaError);
    expect(() =>
      model.createKeyspace(
        {
          name: "x",
          replication: { class: "org.apache.cassandra.locator.NetworkTopologyStrategy", dc9: "1" },
          durableWrites: true,
          tablets: false,
        },
        false,
      ),
    ).toThrow(/Unrecognized strategy option \{dc9\}/);
    expect(model.dropKeyspace("nope", true)).toBe(false);
    expect(model.dropKeyspace("k", false)).toBe(true);
    expect(seen.length).toBe(2);
    expect(seen[1]?.endsWith(model.version)).toBe(true);
  });

  test("spec loader reads YAML sizes and rejects unknown keys with a path", () => {
    const spec = parseSchemaSpec(
      "keyspaces:\n  - name: a\n    replication: {class: SimpleStrategy, replication_factor: 1}\n    tables: [{name: t, size: 64MiB}]\n",
    );
    expect(spec.keyspaces[0]?.tables[0]?.size).toBe("64MiB");
    expect(parseSize("64MiB")).toBe(64 * 1024 * 1024);
    expect(parseSize("1.5GB")).toBe(1.5e9);
    expect(() => parseSize("12 parsecs")).toThrow(/invalid size/);
    expect(() =>
      parseSchemaSpec("keyspaces:\n  - name: a\n    replication: {class: SimpleStrategy}\n    bogus: 1\n"),
    ).toThrow(/keyspaces\.0\.bogus/);
  });
});

describe("views and indexes", () => {
  const cols = [
    { name: "id", type: "uuid", kind: "partition_key" as const, position: 0, clusteringOrder: "none" as const },
    { name: "v", type: "text", kind: "regular" as const, position: -1, clusteringOrder: "none" as const },
  ];
  const setup = () => {
    const model = new SchemaModel({ datacenters: dcs });
    model.createKeyspace(
      {
        name: "k",
        replication: { class: "org.apache.cassandra.locator.NetworkTopologyStrategy", dc1: "3" },
        durableWrites: true,
        tablets: false,
      },
      false,
    );
    model.createTable({ keyspace: "k", name: "t", columns: cols, options: {}, extensions: {} }, false);
    return model;
  };

  test("a base table with views cannot be dropped; dropping it drops its indexes", () => {
    const model = setup();
    model.createTable(
      {
        keyspace: "k",
        name: "mv",
        columns: cols,
        options: {},
        extensions: {},
        view: { baseTable: "t", whereClause: "v IS NOT NULL", includeAllColumns: true },
      },
      false,
    );
    expect(() => model.dropTable("k", "t", false)).toThrow(/materialized views still depend on it/);
    model.dropTable("k", "mv", false);
    model.createIndex({ keyspace: "k", table: "t", name: "i", kind: "COMPOSITES", options: { target: "v" } }, false);
    expect(model.table("k", "i_index")?.view?.baseTable).toBe("t");
    expect(
      model.createIndex({ keyspace: "k", table: "t", name: "i", kind: "COMPOSITES", options: { target: "v" } }, true),
    ).toBe(false);
    expect(() =>
      model.createIndex(
        { keyspace: "k", table: "t", name: "j", kind: "COMPOSITES", options: { target: "nope" } },
        false,
      ),
    ).toThrow(/No column definition/);
    model.dropTable("k", "t", false);
    expect(model.indexes("k")).toEqual([]);
    expect(model.columnFamilies("k")).toEqual([]);
  });

  test("defaults: options, tombstone_gc extension, system keyspaces are not droppable", () => {
    const model = setup();
    const t = model.table("k", "t");
    expect(t?.options.gc_grace_seconds).toBe(864000);
    expect(t?.extensions.tombstone_gc).toContain("'mode':'timeout'");
    model.alterTableOptions("k", "t", {}, { tombstone_gc: "{'mode':'disabled'}" });
    expect(model.table("k", "t")?.extensions.tombstone_gc).toBe("{'mode':'disabled'}");
    expect(() => model.dropKeyspace("system", false)).toThrow(/not user-modifiable/);
    expect(() =>
      model.createTable({ keyspace: "nope", name: "x", columns: cols, options: {}, extensions: {} }, false),
    ).toThrow(/does not exist/);
    expect(() =>
      model.createKeyspace(
        {
          name: "tab",
          replication: { class: "org.apache.cassandra.locator.SimpleStrategy", replication_factor: "1" },
          durableWrites: true,
          tablets: true,
        },
        false,
      ),
    ).toThrow(/Tablets/);
  });
});
