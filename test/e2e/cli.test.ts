import {appendFileSync, existsSync, readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {beforeAll, describe, expect, it} from "vitest";
import {copyOfRepo, mlbook} from "../helpers/project.ts";

interface JsonRun {
  runId: string;
  steps: {
    name: string;
    status: string;
    key: string;
    reason: string | null;
    durationMs: number;
    rows: Record<string, number>;
  }[];
  metrics: Record<string, number>;
}

describe("mlbook CLI on the bundled penguins pipeline", () => {
  let a: string;
  let first: Awaited<ReturnType<typeof mlbook>>;

  beforeAll(async () => {
    a = copyOfRepo();
    first = await mlbook(a, ["run"], a);
  });

  it("runs end to end and prints each step and the test accuracy", async () => {
    expect(first.stderr).toBe("  registered penguins-model v1 (all criteria passed)\n");
    expect(first.status).toBe(0);
    for (const step of ["ingest", "clean", "beak_ratio", "check", "split", "train", "evaluate", "register"]) {
      expect(first.stdout).toMatch(new RegExp(`^ {2}${step} +ran +[\\d.]+ m?s .*\\(missing\\)$`, "m"));
    }
    expect(first.stdout).toMatch(/split +ran +[\d.]+ m?s +train 275, test 69 +\(missing\)/);
    const accuracy = Number(/^ {2}accuracy +([\d.]+)$/m.exec(first.stdout)?.[1]);
    expect(accuracy).toBeGreaterThanOrEqual(0.97);
  });

  it("reports every step fresh on a second run, and --json gives one parsable object", async () => {
    const again = await mlbook(a, ["run", "--json"], a);
    expect(again.status).toBe(0);
    const json = JSON.parse(again.stdout) as JsonRun;
    expect(json.steps.map((s) => s.status)).toEqual(Array(8).fill("fresh"));
    expect(json.steps.map((s) => s.key)).toEqual(json.steps.map((s) => s.key.match(/^[0-9a-f]{64}$/)?.[0]));
    expect(json.runId).toMatch(/^\d{8}-\d{6}-[0-9a-f]{6}$/);
    expect(json.metrics.accuracy).toBeGreaterThanOrEqual(0.97);
  });

  it("reruns split and downstream for split.test_size=0.3, keeping ingest and clean fresh", async () => {
    const result = await mlbook(a, ["run", "--json", "split.test_size=0.3"], a);
    expect(result.status).toBe(0);
    const json = JSON.parse(result.stdout) as JsonRun;
    expect(json.steps.map((s) => [s.name, s.status, s.reason])).toEqual([
      ["ingest", "fresh", null],
      ["clean", "fresh", null],
      ["beak_ratio", "fresh", null],
      ["check", "fresh", null],
      ["split", "ran", "param split.test_size changed"],
      ["train", "ran", "upstream split changed"],
      ["evaluate", "ran", "upstream split, train changed"],
      ["register", "ran", "upstream split, train, evaluate changed"]
    ]);
    expect(json.steps[4].rows.test).toBe(103);
  });

  it("marks a step and its downstream stale when a line of its source changes", async () => {
    appendFileSync(join(a, "src/pipeline/steps/train.ts"), "\n// an edited line\n");
    const status = await mlbook(a, ["status", "--json"], a);
    expect(status.status).toBe(0);
    const steps = (
      JSON.parse(status.stdout) as {steps: {name: string; fresh: boolean; reason: string | null}[]}
    ).steps;
    expect(steps.map((s) => [s.name, s.fresh, s.reason])).toEqual([
      ["ingest", true, null],
      ["clean", true, null],
      ["beak_ratio", true, null],
      ["check", true, null],
      ["split", true, null],
      ["train", false, "code of train changed"],
      ["evaluate", false, "upstream train changed"],
      ["register", false, "upstream train, evaluate changed"]
    ]);
  });

  it("exits 2 naming a misspelled override", async () => {
    const result = await mlbook(a, ["run", "split.tes_size=0.3"], a);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      "error: override split.tes_size=0.3: unknown key split.tes_size (did you mean test_size? expected one of method, test_size, validation_size, stratify, seed, key, num_buckets, include_buckets, salt, time_column)\n"
    );
  });

  it("exits 2 naming a --memory that is not a size, writing nothing", async () => {
    const result = await mlbook(
      a,
      ["predict", "-m", "penguins-model@latest", "--memory", "lots", "x.csv", "-o", "out.csv"],
      a
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('error: invalid --memory: "lots" (expected a size such as 512MB or 2GB)\n');
    expect(existsSync(join(a, "out.csv"))).toBe(false);
  });

  it("exits 2 naming a misspelled config key, with file and line, and no stack trace", async () => {
    const file = join(a, "typo.yaml");
    writeFileSync(file, readFileSync(join(a, "mlbook.yaml"), "utf8").replace("stratify:", "stratfy:"));
    const result = await mlbook(a, ["run", "--config", "typo.yaml"], a);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /^error: typo\.yaml:\d+:3: unknown key split\.stratfy \(did you mean stratify\? expected one of method, test_size, validation_size, stratify, seed, key, num_buckets, include_buckets, salt, time_column\)\n$/
    );
  });

  it("gives identical keys and metrics in a second clone in another folder", async () => {
    const b = copyOfRepo();
    const inA = JSON.parse(
      (await mlbook(a, ["run", "--json", "split.test_size=0.3", "--steps", "split"], a)).stdout
    ) as JsonRun;
    const inB = JSON.parse(
      (await mlbook(b, ["run", "--json", "split.test_size=0.3", "--steps", "split"], b)).stdout
    ) as JsonRun;
    expect(inB.steps.map((s) => s.key)).toEqual(inA.steps.map((s) => s.key));
    const full = JSON.parse((await mlbook(b, ["run", "--json"], b)).stdout) as JsonRun;
    const original = JSON.parse(
      (await mlbook(a, ["run", "--json", "--steps", "split"], a)).stdout
    ) as JsonRun;
    const names = original.steps.map((s) => s.name);
    expect(full.steps.filter((s) => names.includes(s.name)).map((s) => s.key)).toEqual(
      original.steps.map((s) => s.key)
    );
    expect(full.metrics.accuracy).toBe(Number(/^ {2}accuracy +([\d.]+)$/m.exec(first.stdout)?.[1]));
  });
});
