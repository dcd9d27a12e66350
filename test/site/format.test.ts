import {join} from "node:path";
import {pathToFileURL} from "node:url";
import {describe, expect, it} from "vitest";
import {repoRoot} from "../helpers/project.ts";

type Format = (value: unknown) => string;
// The pages' own module (plain browser JS, no types), as the pages import it.
const {number, bytes} = (await import(
  pathToFileURL(join(repoRoot, "docs", "components", "format.js")).href
)) as {
  number: Format;
  bytes: Format;
};

describe("the pages' number formats", () => {
  it("writes a measured number by its magnitude", () => {
    expect(number(44519744.499)).toBe("44,519,744");
    expect(number(2767891499)).toBe("2.77e9");
    expect(number(-1116)).toBe("-1,116");
    expect(number(43.92192982456142)).toBe("43.92");
    expect(number(0.123456)).toBe("0.1235");
    expect(number(0.0001234)).toBe("1.2e-4");
    expect(number(12)).toBe("12");
    expect(number(null)).toBe("—");
  });

  it("writes a size in bytes in powers of 1024, from a number or tracking's 64-bit text", () => {
    expect(bytes(2230321)).toBe("2.1 MB");
    expect(bytes("914459")).toBe("893 KB");
    expect(bytes(717)).toBe("717 B");
    expect(bytes(15433256)).toBe("15 MB");
    expect(bytes(null)).toBe("—");
  });
});
