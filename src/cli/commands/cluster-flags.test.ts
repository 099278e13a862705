import { expect, test } from "bun:test";
import { applyClusterFlags, applyLabelChanges } from "./cluster-flags.ts";

test("label modifications set and remove; '=' misuse and set+remove are refused", () => {
  expect(applyLabelChanges({ a: "1", b: "2" }, "c=3,b-")).toEqual({ a: "1", c: "3" });
  expect(() => applyLabelChanges({}, "a=b=c")).toThrow('invalid label "a=b=c"');
  expect(() => applyLabelChanges({}, "a=1,a-")).toThrow('label "a" is both set and removed');
});

test("only given flags apply; pairs must be complete; the default port is not sent", () => {
  const base = { id: "x", name: "old", host: "10.0.0.1", auth_token: "t" };
  expect(applyClusterFlags(base, { name: "new" })).toEqual({ ...base, name: "new" });
  expect(applyClusterFlags(base, { port: "10001" }).port).toBe(0);
  expect(applyClusterFlags(base, { port: "10002" }).port).toBe(10002);
  expect(() => applyClusterFlags(base, { port: "x" })).toThrow('invalid argument "x" for "--port" flag');
  expect(() => applyClusterFlags(base, { username: "u" })).toThrow('missing flag "password"');
  expect(() => applyClusterFlags(base, { "alternator-secret-access-key": "s" })).toThrow(
    'missing flag "alternator-access-key-id"',
  );
  expect(applyClusterFlags(base, { username: "u", password: "p", "force-tls-disabled": true })).toMatchObject({
    username: "u",
    password: "p",
    force_tls_disabled: true,
  });
});
