import {format} from "node:util";
import {describe, expect, it} from "vitest";
import {frameworkLog} from "../../src/cli/frameworkLog.ts";

const faint = (s: string) => `\x1b[2m${s}\x1b[22m`;

/** Framework's preview output as it prints it: console.log of a faint arrow and the message. */
const sample = [
  format("%s %s", faint("\u2191"), format({type: "hello", path: "/penguins/metrics", hash: "abc"})),
  "load /data/penguins/metrics.json → [stale]",
  format("%s %O", faint("\u2193"), {
    type: "update",
    html: {removed: [], added: [{type: 1, value: "<div class='x'>".repeat(20)}]},
    code: {removed: ["a", "b"], added: Array.from({length: 6}, (_, i) => `cell ${i} `.repeat(30))},
    files: {removed: [], added: []}
  }),
  `${faint("socket open")} /_observablehq`,
  "npm:react-dom@19.1.0/+esm → /tmp/x/.observablehq/cache/_npm/react-dom@19.1.0/_esm.js",
  // The npm resolver writes `npm:a → ` and, later, `npm:a@1\n`: resolutions at once interleave.
  `npm:arquero ${faint("\u2192")} npm:echarts ${faint("\u2192")} npm:arquero@8.0.3`,
  "npm:echarts@6.1.0",
  "  train ran (param model.params.C changed)",
  // A loader's line that a message cuts in two (the preview prints both as they come).
  `load /data/penguins/run.json → ${format("%s %O", faint("\u2193"), {type: "update", code: {removed: ["x".repeat(90)], added: ["y".repeat(90)]}})}\n[stale]`,
  `${faint("socket close")} /_observablehq`,
  "GET /penguins/metrics"
].join("\n");

describe("frameworkLog", () => {
  it("leaves out socket dumps and CDN fetches, however the output is cut into chunks", () => {
    expect(sample.split("\n").length).toBeGreaterThan(12); // the update is dumped over many lines
    for (const size of [1, 7, 64, sample.length + 1]) {
      const log = frameworkLog();
      let out = "";
      for (let i = 0; i < sample.length + 1; i += size) out += log((sample + "\n").slice(i, i + size));
      expect(out).toBe(
        [
          "load /data/penguins/metrics.json → [stale]",
          "  train ran (param model.params.C changed)",
          "load /data/penguins/run.json → [stale]",
          "GET /penguins/metrics",
          ""
        ].join("\n")
      );
    }
  });

  it("keeps everything with --verbose", () => {
    expect(frameworkLog({verbose: true})(sample)).toBe(sample);
  });
});
