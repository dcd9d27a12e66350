import {availableParallelism} from "node:os";
import {join} from "node:path";
import {describe, expect, it, vi} from "vitest";
import {loadConfig} from "../../src/pipeline/builtins.ts";
import {runPipeline} from "../../src/pipeline/engine/run.ts";
import {tinyProject} from "../helpers/project.ts";

const seen: number[] = [];
vi.mock("../../src/pipeline/ml/forest/trainForest.ts", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../src/pipeline/ml/forest/trainForest.ts")>();
  return {
    ...original,
    trainForest: (...args: Parameters<typeof original.trainForest>) => {
      seen.push(args[3]?.threads ?? 1);
      return original.trainForest(...args);
    }
  };
});

const forest = ["model.type=random_forest", "+model.params.n_estimators=8"];

describe("worker threads for a fit", () => {
  it("come from model.params.n_jobs unless train.threads is set, and never change the model", async () => {
    const dir = tinyProject();
    const config = join(dir, "mlbook.yaml");
    const one = await runPipeline(await loadConfig(config, forest));
    seen.length = 0;
    const other = tinyProject();
    const two = await runPipeline(
      await loadConfig(join(other, "mlbook.yaml"), [...forest, "+model.params.n_jobs=2"])
    );
    expect(seen).toContain(2);
    seen.length = 0;
    const third = tinyProject();
    await runPipeline(
      await loadConfig(join(third, "mlbook.yaml"), [...forest, "+model.params.n_jobs=2", "train.threads=1"])
    );
    expect(seen).not.toContain(2);
    // Same key, same metrics: threads are a runtime choice.
    const key = (r: typeof one) => r.steps.find((s) => s.name === "train")!.key;
    expect(key(two)).toBe(key(one));
    expect(two.headline).toEqual(one.headline);
  });
});

describe("DuckDB's threads", () => {
  it("are the fits' threads: every core, or a sweep worker's MLBOOK_THREADS share", async () => {
    const {openDb} = await import("../../src/pipeline/engine/db.ts");
    const threads = async () => {
      const db = await openDb();
      try {
        return (await db.rows<{n: bigint}>("SELECT current_setting('threads') AS n"))[0].n;
      } finally {
        db.close();
      }
    };
    const saved = process.env.MLBOOK_THREADS;
    try {
      delete process.env.MLBOOK_THREADS;
      expect(Number(await threads())).toBe(availableParallelism());
      process.env.MLBOOK_THREADS = "1";
      expect(Number(await threads())).toBe(1);
      process.env.MLBOOK_THREADS = "3";
      expect(Number(await threads())).toBe(3);
    } finally {
      if (saved === undefined) delete process.env.MLBOOK_THREADS;
      else process.env.MLBOOK_THREADS = saved;
    }
  });
});
