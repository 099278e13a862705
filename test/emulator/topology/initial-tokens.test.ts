import { describe, expect, test } from "bun:test";
import { createTopology, parseDcs } from "./topology.ts";

// Scylla's `initial_token`: a node given tokens owns exactly those; the others keep their seeded ones (127.0.10.x
// addresses are only names here: nothing listens).
describe("initial tokens", () => {
  test("a node takes the given tokens (sorted); host ids and the other nodes stay those of the seed", () => {
    const seeded = createTopology({ dcs: parseDcs("dc1:3"), ipPrefix: "127.0.10.", seed: 4, tokensPerNode: 4 });
    const given = [30n, -10n, 20n];
    const t = createTopology({
      dcs: parseDcs("dc1:3"),
      ipPrefix: "127.0.10.",
      seed: 4,
      tokensPerNode: 4,
      initialTokens: new Map([["127.0.10.2", given]]),
    });
    expect(t.byIp.get("127.0.10.2")?.tokens).toEqual([-10n, 20n, 30n]);
    expect(t.byIp.get("127.0.10.1")?.tokens).toEqual(seeded.byIp.get("127.0.10.1")?.tokens ?? []);
    expect(t.nodes.map((n) => n.hostId)).toEqual(seeded.nodes.map((n) => n.hostId));
    expect(t.ring.filter((e) => e.ip === "127.0.10.2").map((e) => e.token)).toEqual([-10n, 20n, 30n]);
  });

  test("bad initial tokens are refused", () => {
    const make = (tokens: Map<string, bigint[]>) =>
      createTopology({
        dcs: parseDcs("dc1:2"),
        ipPrefix: "127.0.10.",
        seed: 4,
        tokensPerNode: 2,
        initialTokens: tokens,
      });
    expect(() => make(new Map([["127.0.10.9", [1n]]]))).toThrow("not a node");
    expect(() => make(new Map([["127.0.10.1", [1n, 1n]]]))).toThrow("given twice");
    expect(() => make(new Map([["127.0.10.1", []]]))).toThrow("empty");
    expect(() => make(new Map([["127.0.10.1", [-(2n ** 63n)]]]))).toThrow("out of the Murmur3 token range");
    expect(() =>
      make(
        new Map([
          ["127.0.10.1", [5n]],
          ["127.0.10.2", [5n]],
        ]),
      ),
    ).toThrow("assigned to both");
  });
});
