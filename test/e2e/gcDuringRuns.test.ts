import {spawn} from "node:child_process";
import {mkdirSync, readdirSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {takeLease} from "../../src/pipeline/engine/lease.ts";
import {mlbook, tinyCsv, tinyProject} from "../helpers/project.ts";

/** `mlbook gc` never touches what a live run uses (lease.ts). */
describe("gc while runs run", () => {
  it("runs and a sweep succeed and are all recorded while gc runs in a loop", async () => {
    const dir = tinyProject();
    // Enough rows that a run takes a while, so gc passes land between its steps.
    writeFileSync(join(dir, "data.csv"), tinyCsv(20_000));
    let stop = false;
    let passes = 0;
    const failures: string[] = [];
    const loop = (async () => {
      while (!stop) {
        const gc = await mlbook(dir, ["gc"]);
        if (gc.status !== 0) failures.push(gc.stderr);
        passes += 1;
      }
    })();
    const results = await Promise.all([
      (async () => {
        const out = [];
        for (const C of ["0.5", "1.5", "2.5"]) out.push(await mlbook(dir, ["run", `model.params.C=${C}`]));
        return out;
      })(),
      mlbook(dir, ["run", "-m", "model.params.C=0.1,10"]).then((r) => [r])
    ]);
    stop = true;
    await loop;
    for (const r of results.flat()) expect(r.status, r.stderr).toBe(0);
    expect(failures.join("\n")).toBe("");
    expect(passes).toBeGreaterThanOrEqual(3);
    const runs = await mlbook(dir, ["runs", "--json"]);
    // 3 runs, and the sweep's runs: its shared steps, 2 jobs and the winner's final steps.
    const recorded = JSON.parse(runs.stdout) as {id: string}[];
    expect(recorded.length).toBeGreaterThanOrEqual(3 + 3);
    // After everything, a gc pass leaves every recorded run's entries: all fresh on a re-run.
    expect((await mlbook(dir, ["gc"])).status).toBe(0);
    const again = await mlbook(dir, ["run", "model.params.C=2.5", "--json"]);
    expect(
      (JSON.parse(again.stdout) as {steps: {status: string}[]}).steps.every((s) => s.status === "fresh")
    ).toBe(true);
  }, 240_000);

  it("keeps an entry a live process has leased, and deletes it once the lease is released", async () => {
    const dir = tinyProject();
    expect((await mlbook(dir, ["run"])).status).toBe(0);
    const store = join(dir, ".mlbook", "store");
    // An entry no recorded run uses (as a run still going has made, say), and another.
    const leasedKey = "a".repeat(64);
    const loose = "b".repeat(64);
    for (const key of [leasedKey, loose]) {
      mkdirSync(join(store, "train", key));
      writeFileSync(join(store, "train", key, "model.json"), "{}");
    }
    const release = await takeLease(join(dir, ".mlbook"), [`train/${leasedKey}`]);
    expect((await mlbook(dir, ["gc"])).status).toBe(0);
    const kept = readdirSync(join(store, "train"));
    expect(kept).toContain(leasedKey);
    expect(kept).not.toContain(loose);
    expect(kept).toHaveLength(2); // and the recorded run's own
    await release();
    expect((await mlbook(dir, ["gc"])).status).toBe(0);
    expect(readdirSync(join(store, "train"))).not.toContain(leasedKey);
  }, 60_000);

  it("a run waits while a live gc holds the lock, and ignores a dead one's", async () => {
    const dir = tinyProject();
    const root = join(dir, ".mlbook");
    mkdirSync(root, {recursive: true});
    const holder = spawn("sleep", ["1"]);
    writeFileSync(join(root, "gc.lock"), String(holder.pid), {flag: "w"});
    const t0 = performance.now();
    const release = await takeLease(root, [], {pollMs: 20});
    expect(performance.now() - t0).toBeGreaterThan(500);
    await release();
    // A holder that does not let go: the run stops with a message rather than wait forever.
    const stuck = spawn("sleep", ["5"]);
    writeFileSync(join(root, "gc.lock"), String(stuck.pid));
    await expect(takeLease(root, [], {pollMs: 20, waitMs: 200})).rejects.toThrow(
      new RegExp(`mlbook gc \\(pid ${stuck.pid}\\) has held .*gc\\.lock for too long`)
    );
    stuck.kill();
    await new Promise((resolve) => stuck.on("exit", resolve));
    // The holder is gone now: its lock holds no one up.
    const t1 = performance.now();
    await (
      await takeLease(root, [], {pollMs: 20})
    )();
    expect(performance.now() - t1).toBeLessThan(500);
  });
});
