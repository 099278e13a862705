import { expect, test } from "bun:test";
import {
  alternatorSchemaPath,
  localSnapshotDir,
  localUploadDir,
  manifestPath,
  parseManifestFileName,
  parseManifestPath,
  parseSchemaFileName,
  parseTableDirName,
  schemaPath,
  scyllaManifestName,
  sstVersionDir,
  tempPath,
  unsafeSchemaPath,
} from "./paths.ts";

const CLUSTER = "3e99d4a8-67d2-45fe-87fb-87b1b90ea2dc";
const TASK = "f70117d8-c10e-4e90-9606-2587936b3757";
const NODE = "01c9349e-89e6-4ceb-a727-4f27f9f2acce";
const TAG = "sm_20210809095541UTC";

test("SM's documented example paths", () => {
  expect(manifestPath(CLUSTER, "dc1", NODE, TASK, TAG)).toBe(
    `backup/meta/cluster/${CLUSTER}/dc/dc1/node/${NODE}/task_${TASK}_tag_${TAG}_manifest.json.gz`,
  );
  expect(tempPath(manifestPath(CLUSTER, "dc1", NODE, TASK, TAG))).toEndWith("_manifest.json.gz.tmp");
  expect(schemaPath(CLUSTER, TASK, TAG)).toBe(
    `backup/schema/cluster/${CLUSTER}/task_${TASK}_tag_${TAG}_schema_with_internals.json.gz`,
  );
  expect(alternatorSchemaPath(CLUSTER, TASK, TAG)).toBe(
    `backup/schema/cluster/${CLUSTER}/task_${TASK}_tag_${TAG}_alternator_schema.json.gz`,
  );
  expect(unsafeSchemaPath(CLUSTER, TASK, TAG)).toBe(
    `backup/schema/cluster/${CLUSTER}/task_${TASK}_tag_${TAG}_schema.tar.gz`,
  );
  expect(sstVersionDir(CLUSTER, "dc1", NODE, "backuptest_data", "big_table", "f34b6ff0f8f711eb9fcf000000000000")).toBe(
    `backup/sst/cluster/${CLUSTER}/dc/dc1/node/${NODE}/keyspace/backuptest_data/table/big_table/f34b6ff0f8f711eb9fcf000000000000`,
  );
  expect(scyllaManifestName(TAG, NODE)).toBe(`tag_${TAG}_node_${NODE}_manifest.json`);
  expect(localSnapshotDir("ks", "t", "a".repeat(32), TAG)).toBe(`data:ks/t-${"a".repeat(32)}/snapshots/${TAG}`);
  expect(localUploadDir("ks", "t", "b".repeat(32))).toBe(`data:ks/t-${"b".repeat(32)}/upload`);
});

test("manifest paths parse back, strictly", () => {
  const path = manifestPath(CLUSTER, "dc1", NODE, TASK, TAG);
  const info = { clusterId: CLUSTER, dc: "dc1", nodeId: NODE, taskId: TASK, snapshotTag: TAG };
  expect(parseManifestPath(path)).toEqual({ ...info, temporary: false });
  expect(parseManifestPath(tempPath(path))).toEqual({ ...info, temporary: true });
  expect(parseManifestPath(`/${path}`)).toEqual({ ...info, temporary: false });
  for (const bad of [
    `backup/meta/cluster/${CLUSTER}/dc/dc1/node/${NODE}/.version`,
    `backup/meta/cluster/not-a-uuid/dc/dc1/node/${NODE}/task_${TASK}_tag_${TAG}_manifest.json.gz`,
    `backup/meta/cluster/${CLUSTER}/dc/dc1/node/${NODE}/task_${TASK}_tag_sm_2021UTC_manifest.json.gz`,
    `backup/meta/cluster/${CLUSTER}/dc/dc1/node/${NODE}/task_${TASK}_tag_${TAG}_manifest.json`,
    `backup/meta/cluster/${CLUSTER}/dc/dc1/node/${NODE}/task_${TASK}_tag_${TAG}_manifest.json.gz.bak`,
    `backup/meta/cluster/${CLUSTER}/dc/dc1/node/${NODE}/keyspace/ks/table/t/task/${TASK}/tag/${TAG}/v/manifest.json`,
    `backup/sst/cluster/${CLUSTER}/dc/dc1/node/${NODE}/task_${TASK}_tag_${TAG}_manifest.json.gz`,
    `backup/meta/cluster/${CLUSTER}/dc/dc1/node/task_${TASK}_tag_${TAG}_manifest.json.gz`,
  ]) {
    expect(parseManifestPath(bad)).toBeUndefined();
  }
  expect(parseManifestFileName(`task_x_tag_${TAG}_manifest.json.gz`)).toBeUndefined();
});

test("schema file names and table dirs", () => {
  expect(parseSchemaFileName(`task_${TASK}_tag_${TAG}_schema_with_internals.json.gz`)).toEqual({
    taskId: TASK,
    snapshotTag: TAG,
    kind: "cql",
  });
  expect(parseSchemaFileName(`task_${TASK}_tag_${TAG}_alternator_schema.json.gz`)?.kind).toBe("alternator");
  expect(parseSchemaFileName(`task_${TASK}_tag_${TAG}_schema.tar.gz`)).toBeUndefined();
  expect(parseSchemaFileName(`task_${TASK}_tag_sm_x_schema_with_internals.json.gz`)).toBeUndefined();
  expect(parseTableDirName(`big_table-${"f".repeat(32)}`)).toEqual({ table: "big_table", version: "f".repeat(32) });
  expect(parseTableDirName("big_table-123")).toBeUndefined();
});
