import {spawnSync} from "node:child_process";
import {existsSync, mkdirSync, readdirSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {loadConfig} from "../../../src/pipeline/builtins.ts";
import {runPipeline} from "../../../src/pipeline/engine/run.ts";
import {Store} from "../../../src/pipeline/engine/store.ts";
import {tinyProject} from "../../helpers/project.ts";

/** A pid that named a process a moment ago and names none now. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
    encoding: "utf8"
  });
  return Number(child.stdout);
}

/** What a run or sweep worker killed mid-write leaves in the store's tmp folder is removed by the next run. */
describe("scratch of dead processes", () => {
  it("is removed by the next run; a live process's scratch is kept", async () => {
    const dir = tinyProject();
    const tmp = join(dir, ".mlbook", "tmp");
    const dead = deadPid();
    const leftovers = [
      `${dead}-1700000000000-abc123`,
      `trash-${dead}-1700000000000-def456`,
      `gc-${dead}-0123abcd`
    ];
    for (const name of leftovers) {
      mkdirSync(join(tmp, name), {recursive: true});
      writeFileSync(join(tmp, name, "partial.parquet"), Buffer.alloc(1024));
    }
    // This process is alive: its scratch (another writer's, as far as the run knows) stays.
    const live = `${process.pid}-1700000000000-zzz999`;
    mkdirSync(join(tmp, live));
    // The parent of this process (vitest's) is alive too, and not this process.
    const parent = `${process.ppid}-1700000000000-yyy888`;
    mkdirSync(join(tmp, parent));
    await runPipeline(await loadConfig(join(dir, "mlbook.yaml")));
    const after = readdirSync(tmp);
    for (const name of leftovers) expect(after).not.toContain(name);
    expect(after).toContain(parent);
    expect(existsSync(join(tmp, live))).toBe(true);
    // gc's sweep does the same through the store.
    mkdirSync(join(tmp, `${dead}-1-x`));
    expect(await new Store(join(dir, ".mlbook")).removeDeadScratch()).toEqual([`${dead}-1-x`]);
  });
});
