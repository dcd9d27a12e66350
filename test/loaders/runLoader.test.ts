import {appendFileSync} from "node:fs";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {runLoader} from "../../src/loaders/runLoader.ts";
import {tinyProject} from "../helpers/project.ts";

describe("runLoader", () => {
  it("writes the output of one run when nothing changes meanwhile", async () => {
    const root = tinyProject();
    const written: string[] = [];
    let calls = 0;
    await runLoader(async (context) => ({name: context.name, call: ++calls}), {
      argv: [],
      root,
      write: (t) => written.push(t)
    });
    expect(written).toEqual([JSON.stringify({name: "tiny", call: 1})]);
  });

  it("runs again when the data or config changes during a run, and writes only the new output", async () => {
    const root = tinyProject();
    const written: string[] = [];
    let calls = 0;
    await runLoader(
      async () => {
        ++calls;
        // An edit lands while the first run is reading the old inputs.
        if (calls === 1) appendFileSync(join(root, "data.csv"), "1.0,2.0,red,a\n");
        if (calls === 2) appendFileSync(join(root, "mlbook.yaml"), "# edited\n");
        return {call: calls};
      },
      {argv: [], root, write: (t) => written.push(t)}
    );
    expect(calls).toBe(3);
    expect(written).toEqual([JSON.stringify({call: 3})]);
  });
});
