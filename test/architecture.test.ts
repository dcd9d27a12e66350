import {readdirSync, readFileSync, statSync} from "node:fs";
import {join, relative} from "node:path";
import {describe, expect, it} from "vitest";
import {builtinCatalog} from "../src/pipeline/builtins.ts";
import {repoRoot} from "./helpers/project.ts";

/**
 * Code that must know no step: the engine, the add-ons, the CLI, the site and the page loaders.
 * One file is left out, on purpose: tracking's schema migrations are history, and name the values
 * older versions wrote (a sweep role once called after the register step).
 */
const history = ["src/pipeline/tracking/schema.ts"];
const stepFree = [
  "src/pipeline/engine",
  "src/pipeline/ml",
  "src/pipeline/score",
  "src/pipeline/tracking",
  "src/pipeline/sweep",
  "src/cli",
  "src/site",
  "src/loaders",
  "src/index.ts"
];

function files(path: string): string[] {
  const full = join(repoRoot, path);
  if (!statSync(full).isDirectory()) return [full];
  return readdirSync(full).flatMap((name) => files(join(path, name)));
}

/** Each place a quoted string literal equal to one of `names` appears: `file:line: "name"`. */
export function quotedNames(source: string, names: readonly string[], file = ""): string[] {
  const pattern = new RegExp(`(["'\`])(${names.join("|")})\\1`, "g");
  return source
    .split("\n")
    .flatMap((line, i) => [...line.matchAll(pattern)].map((m) => `${file}:${i + 1}: ${m[0]}`));
}

describe("the architecture", () => {
  const names = builtinCatalog.steps.map((s) => s.name);

  it("finds a quoted step name where there is one (the check below can fail)", () => {
    expect(names).toContain("train");
    expect(quotedNames('entries.get("evaluate");\nconst a = `split`;', names, "x.ts")).toEqual([
      'x.ts:1: "evaluate"',
      "x.ts:2: `split`"
    ]);
    expect(quotedNames("const trainSection = 'trained';", names)).toEqual([]);
  });

  it("names no built-in step outside the steps' own files: the engine, add-ons, CLI and site ask the catalog", () => {
    const found = stepFree
      .flatMap(files)
      .filter((f) => f.endsWith(".ts") && !history.includes(relative(repoRoot, f)))
      .flatMap((f) => quotedNames(readFileSync(f, "utf8"), names, relative(repoRoot, f)));
    expect(found).toEqual([]);
  });

  it("opens no DuckDB in src/ that reaches every file: each openDb names what it may reach", () => {
    const open = files("src")
      .filter((f) => f.endsWith(".ts"))
      .flatMap((f) =>
        readFileSync(f, "utf8")
          .split("\n")
          .flatMap((line, i) => (/\bopenDb\(\)/.test(line) ? [`${relative(repoRoot, f)}:${i + 1}`] : []))
      );
    expect(open).toEqual([]);
  });
});
