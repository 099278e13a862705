import { expect, test } from "bun:test";
import { stagesToRun } from "./stage.ts";

test("stages: a fresh run does them all; a continued run starts at the stage it reached", () => {
  expect(stagesToRun()).toEqual(["DROP_VIEWS", "DISABLE_TGC", "DATA", "REPAIR", "ENABLE_TGC", "RECREATE_VIEWS"]);
  expect(stagesToRun("DATA")).toEqual(["DATA", "REPAIR", "ENABLE_TGC", "RECREATE_VIEWS"]);
  expect(stagesToRun("RECREATE_VIEWS")).toEqual(["RECREATE_VIEWS"]);
  expect(stagesToRun("DONE")).toEqual([]);
});
