import {describe, expect, it} from "vitest";
import {canonicalJson, hashValue, KEY_VERSION} from "../../../src/pipeline/engine/hash.ts";

describe("canonicalJson", () => {
  it("sorts keys at every level", () => {
    expect(canonicalJson({b: 1, a: {d: [3, {z: 1, y: 2}], c: null}})).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}'
    );
  });

  it("drops undefined fields, so an absent optional param hashes like a missing one", () => {
    expect(canonicalJson({a: 1, b: undefined})).toBe(canonicalJson({a: 1}));
  });
});

describe("hashValue", () => {
  it("is the same for equal values written in any key order", () => {
    expect(hashValue({step: "split", params: {seed: 42, test_size: 0.2}})).toBe(
      hashValue({params: {test_size: 0.2, seed: 42}, step: "split"})
    );
  });

  it("changes with any value", () => {
    const a = hashValue({params: {test_size: 0.2}});
    expect(hashValue({params: {test_size: 0.3}})).not.toBe(a);
    expect(hashValue({params: {test_size: "0.2"}})).not.toBe(a);
  });

  it("is sha256 over the key version and canonical JSON (changing either invalidates every store)", () => {
    expect(KEY_VERSION).toBe("mlbook-key-v1");
    expect(hashValue({a: 1})).toBe("6a1506a19e0c5e18c70784ee09cfff66228fd5c7f4077937cf91e4317ff05bb8");
  });
});
