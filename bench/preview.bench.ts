// The live preview's latency (issue 17's figure 1): `mlbook dev` on a copy of this repository
// with five pages of one pipeline open in Chromium; one edit of a model param in the config,
// then the time until the open Metrics page shows the new numbers, against the run that edit
// made (its own duration, as tracking recorded it). Two pipelines: penguins (a run of about half
// a second, where the preview's fixed costs dominate) and flights on January's ~500,000 rows (a
// run of several seconds). Target: page updated ≤ 2 × the run; one run per edit.
import {readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {launchChromium} from "../test/helpers/browser.ts";
import {startDev, until} from "../test/helpers/dev.ts";
import {measure} from "./measure.ts";
import {projectCopy} from "./projectCopy.ts";

const dir = projectCopy();
const flights = join(dir, "pipelines", "flights.yaml");
writeFileSync(
  flights,
  readFileSync(flights, "utf8").replace(/^clean:\n/m, 'clean:\n  filter: "month(date) = 1"\n')
);

interface Run {
  id: string;
  source: string | null;
  duration_ms: number;
}
const runs = (pipeline: string, config: string): Run[] =>
  JSON.parse(
    measure(
      process.execPath,
      [join(dir, "bin", "mlbook.js"), "runs", "-p", pipeline, "--json", "-c", config],
      {
        cwd: dir
      }
    ).stdout
  ) as Run[];

const cases = [
  {pipeline: "penguins", config: "mlbook.yaml", edit: [/C: 1\.0/, "C: 0.37"] as const},
  {
    pipeline: "flights",
    config: "pipelines/flights.yaml",
    edit: [/learning_rate: 0\.1/, "learning_rate: 0.2"] as const
  }
];
const dev = await startDev(dir);
const browser = await launchChromium();
const rows: string[] = [];
try {
  for (const {pipeline, config, edit} of cases) {
    const names = ["index", "metrics", "model", "features", "experiments"];
    const pages = await Promise.all(names.map(() => browser.newPage({viewport: {width: 1280, height: 900}})));
    await Promise.all(pages.map((p, i) => p.goto(`${dev.url}/${pipeline}/${names[i]}.html`)));
    const logLoss = pages[1].locator("table.metrics tr", {hasText: "log_loss"}).locator("td.num");
    await logLoss.waitFor({timeout: 600_000});
    // Every page's loaders have had their turn once the server has been quiet for a while.
    const quiet = async () => {
      for (let still = 0, seen = dev.output().length; still < 5;) {
        await new Promise((r) => setTimeout(r, 1_000));
        still = dev.output().length === seen ? still + 1 : 0;
        seen = dev.output().length;
      }
    };
    await quiet();
    const before = new Set(runs(pipeline, config).map((r) => r.id));
    const previous = await logLoss.textContent();
    const file = join(dir, config);
    const original = readFileSync(file, "utf8");
    const mark = dev.output().length;
    const t0 = Date.now();
    writeFileSync(file, original.replace(edit[0], edit[1]));
    await until(
      async () => (await logLoss.textContent({timeout: 1_000}).catch(() => previous)) !== previous,
      600_000,
      `the ${pipeline} metrics page to show the edit`
    );
    const updated = Date.now() - t0;
    await quiet();
    const made = runs(pipeline, config).filter((r) => !before.has(r.id));
    const trained = (
      dev
        .output()
        .slice(mark)
        .match(/ {2}train ran /g) ?? []
    ).length;
    const run = made[0]?.duration_ms ?? NaN;
    rows.push(
      `${pipeline.padEnd(10)} ${String(run).padStart(8)} ${String(updated).padStart(10)} ${(updated / run).toFixed(2).padStart(6)}×` +
        `   ${made.length} run (${made.map((r) => r.source).join(", ")}), train ran ${trained}×  ${updated <= 2 * run ? "met" : "NOT met"}`
    );
    writeFileSync(file, original);
    await quiet();
    await Promise.all(pages.map((p) => p.close()));
  }
} finally {
  await browser.close();
  await dev.stop();
}
console.log("live preview, 5 pages open, one config edit (target: page updated ≤ 2 × the run)");
console.log(
  `${"pipeline".padEnd(10)} ${"run ms".padStart(8)} ${"page ms".padStart(10)} ${"ratio".padStart(7)}`
);
for (const row of rows) console.log(row);
